// The built web app (dashboard/web/dist), served before the API's auth (the
// page itself holds no data; every /api call carries the token): hashed
// assets cached for a year as immutable, index.html revalidated every time so
// a new build is picked up at once, and every other non-API path answered
// with index.html for the app's own routes. Its CSP lets the page load its
// own scripts, MUI's inline styles and the same-origin WebSocket.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** A router serving the app from root, or undefined when it has not been built. */
export function webAppRouter(root: string): express.Router | undefined {
  const index = join(root, 'index.html');
  if (!existsSync(index)) return undefined;
  const router = express.Router();
  const isApi = (path: string) => path === '/api' || path.startsWith('/api/') || path === '/metrics';
  router.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApi(req.path)) return next('router');
    next();
  });
  router.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
  router.use(
    express.static(root, {
      index: false,
      etag: true,
      lastModified: true,
      setHeaders: (res, path) =>
        res.set('Cache-Control', path.includes(`${join(root, 'assets')}`) ? IMMUTABLE : REVALIDATE),
    }),
  );
  // A missing hashed asset is a 404, not the page (a stale tab must not parse HTML as a script).
  router.use('/assets', (_req: Request, res: Response) => void res.status(404).type('text/plain').send('not found'));
  router.use((req: Request, res: Response) => {
    res.set('Cache-Control', REVALIDATE);
    res.sendFile(index);
  });
  return router;
}
