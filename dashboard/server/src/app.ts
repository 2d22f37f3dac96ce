// The dashboard's HTTP API as an express app, built from its dependencies so
// tests run it in memory: security headers, CORS (closed unless origins are
// configured), the built web app (no token: it holds no data), bearer-token
// auth on every API route, zod validation of every
// body, query and path, the route table, and one error handler that answers
// RFC 9457 problems and hides what a 5xx was about.
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { z } from 'zod';
import { openApiDocument, openApiPath } from './api/openapi.ts';
import { ApiError, problemOf, PROBLEM_CONTENT_TYPE } from './api/problem.ts';
import { route, type Route } from './api/route.ts';
import { bearerToken, type Authenticator } from './auth/authenticate.ts';
import type { TokenIdentity } from './auth/tokens.ts';
import type { ApiDeps } from './routes/deps.ts';
import { decisionRoutes } from './routes/decisions.ts';
import { historyRoutes, whoamiRoute } from './routes/history.ts';
import { queueRoutes } from './routes/queues.ts';
import { storyRoutes } from './routes/stories.ts';
import { EVENTS_PATH } from './live/websocket.ts';
import { webAppRouter } from './web/static.ts';

export const VERSION = '0.1.0';

export interface AppOptions {
  deps: ApiDeps;
  authenticator: Authenticator;
  logger: Logger;
  corsOrigins: readonly string[];
  trustProxy: boolean;
  /** The built web app (dashboard/web/dist) to serve at every non-API path; unset or unbuilt: API only. */
  webRoot?: string;
}

export interface DashboardApp {
  app: express.Express;
  /** Every route the app serves (the OpenAPI document and the auth test walk it). */
  routes: readonly Route[];
  document: ReturnType<typeof openApiDocument>;
}

/** The routes of the API, including the document itself and the WebSocket's path. */
export function apiRoutes(deps: ApiDeps, document: () => unknown): Route[] {
  return [
    ...storyRoutes(deps),
    ...decisionRoutes(deps),
    ...queueRoutes(deps),
    ...historyRoutes(deps),
    whoamiRoute(deps),
    route({
      operationId: 'openapi',
      method: 'get',
      path: '/api/openapi.json',
      summary: 'This document',
      tag: 'meta',
      scope: 'read',
      response: z.record(z.string(), z.unknown()),
      handle: async () => document() as Record<string, unknown>,
    }),
    route({
      operationId: 'events',
      method: 'get',
      path: EVENTS_PATH,
      summary: 'The WebSocket of changes (upgrade with subprotocols nightshift.v1 and nightshift.bearer.<token>)',
      description:
        'A plain GET answers 426: connect with a WebSocket client. See the ServerMessage and ClientMessage components.',
      tag: 'meta',
      scope: 'read',
      response: z.object({}),
      errors: [426],
      handle: async () => {
        throw new ApiError(
          426,
          `${EVENTS_PATH} is a WebSocket: connect with the subprotocols nightshift.v1 and nightshift.bearer.<token>`,
          {
            headers: { Upgrade: 'websocket' },
          },
        );
      },
    }),
  ];
}

declare module 'express-serve-static-core' {
  interface Request {
    identity?: TokenIdentity;
  }
}

export function buildApp(options: AppOptions): DashboardApp {
  const { deps, authenticator, logger } = options;
  const holder: { document?: ReturnType<typeof openApiDocument> } = {};
  const routes = apiRoutes(deps, () => holder.document);
  const document = (holder.document = openApiDocument(routes, VERSION));

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.set('etag', false);
  const web = options.webRoot ? webAppRouter(options.webRoot) : undefined;
  if (web) app.use(web);
  app.use(helmet({ contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } }));
  app.use(cors({ origin: options.corsOrigins.length ? [...options.corsOrigins] : false, maxAge: 600 }));
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  // Everything but the web app's static files (mounted above; they hold no data) is behind a token.
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const auth = await authenticator.authenticate(
        req.ip ?? req.socket.remoteAddress ?? 'unknown',
        bearerToken(req.get('authorization')),
      );
      if (!auth.ok) {
        res.set(auth.headers);
        return sendProblem(res, problemOf(auth.status, auth.detail, req.originalUrl.split('?')[0]));
      }
      req.identity = auth.identity;
      next();
    } catch (error) {
      next(error);
    }
  });
  app.use(express.json({ limit: '1mb', type: () => true }));

  for (const r of routes) {
    app[r.method](r.path, async (req: Request, res: Response) => {
      const identity = req.identity!;
      if (r.scope === 'write' && identity.scope !== 'write') {
        throw new ApiError(403, `the token "${identity.name}" is read-only; ${r.operationId} needs a write token`);
      }
      const params = parse('params', r.params, req.params);
      const query = parse('query', r.query, req.query);
      const body = r.body ? parse('body', r.body, req.body) : undefined;
      const result = await r.handle({ params, query, body, identity });
      const checked = r.response.safeParse(result);
      if (!checked.success) {
        logger.error(
          { route: r.operationId, issues: checked.error.issues.slice(0, 5) },
          'a response does not match its schema',
        );
        throw new Error(`the ${r.operationId} response does not match its schema`);
      }
      res.status(r.status ?? 200).json(checked.data);
    });
  }
  app.use((req: Request) => {
    const known = routes.filter((r) => matchesPath(r.path, req.path));
    if (known.length)
      throw new ApiError(
        405,
        `${req.method} is not allowed on ${req.path}; use ${known.map((r) => r.method.toUpperCase()).join(', ')}`,
      );
    throw ApiError.notFound(`${req.path}`);
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof ApiError) {
      res.set(error.headers);
      return sendProblem(res, error.problem(req.originalUrl.split('?')[0]));
    }
    const status = (error as { status?: number; type?: string }).status;
    if (status === 413) return sendProblem(res, problemOf(413, 'the body is larger than 1 MB'));
    if (status === 400 && (error as { type?: string }).type === 'entity.parse.failed') {
      return sendProblem(
        res,
        problemOf(400, 'the body is not valid JSON', undefined, [{ field: 'body', message: 'is not valid JSON' }]),
      );
    }
    if (status !== undefined && status >= 400 && status < 500)
      return sendProblem(res, problemOf(status, (error as Error).message));
    logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    sendProblem(res, problemOf(500, 'the server failed; its log has the details'));
  });
  return { app, routes, document };
}

function parse(where: 'params' | 'query' | 'body', schema: z.ZodType | undefined, value: unknown): never {
  if (!schema) {
    if (where === 'query' && value && typeof value === 'object' && Object.keys(value).length === 0) return {} as never;
    return (where === 'body' ? undefined : {}) as never;
  }
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw ApiError.fromZod(where, result.error);
  return result.data as never;
}

function sendProblem(res: Response, problem: ReturnType<typeof problemOf>): void {
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

function matchesPath(pattern: string, path: string): boolean {
  const regex = new RegExp(`^${openApiPath(pattern).replace(/\{[^}]+\}/g, '[^/]+')}$`);
  return regex.test(path);
}
