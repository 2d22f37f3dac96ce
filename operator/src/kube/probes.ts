// The probe server: /healthz and /livez (the process is alive), /readyz
// (every readiness problem, one per line, or ok), /metrics (Prometheus), and
// any JSON read-outs registered by path (e.g. a health page). Whatever the
// probes decide is decided elsewhere; this file only serves it.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { errorMessage } from './errors.ts';

/** Answers a GET on its path with a JSON body; the URL carries the query. */
export type JsonHandler = (url: URL) => unknown;

export interface ProbeServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Resolves to a list of problems; empty means ready. */
  readiness: () => Promise<string[]>;
  /** Extra JSON endpoints by path, read at request time (so they can be added after start). */
  handlers?: ReadonlyMap<string, JsonHandler>;
}

export interface ProbeServer {
  server: Server;
  /** The port listened on (the one asked for, or the one picked for port 0). */
  port: number;
  close(): Promise<void>;
}

export const PROBE_PATHS: readonly string[] = ['/healthz', '/livez', '/readyz', '/metrics'];

export async function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  const server = createServer((req, res) => {
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'content-type': type });
      res.end(body);
    };
    const url = new URL(req.url ?? '/', 'http://probe');
    const path = url.pathname;
    if (path === '/healthz' || path === '/livez') return reply(200, 'ok\n');
    if (path === '/readyz') {
      options.readiness().then(
        (problems) => reply(problems.length ? 503 : 200, problems.length ? `${problems.join('\n')}\n` : 'ok\n'),
        (error: unknown) => reply(503, `${errorMessage(error)}\n`),
      );
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => reply(200, text, options.registry.contentType),
        (error: unknown) => reply(500, `${errorMessage(error)}\n`),
      );
      return;
    }
    const handler = options.handlers?.get(path);
    if (handler) {
      const json = 'application/json; charset=utf-8';
      Promise.resolve()
        .then(() => handler(url))
        .then(
          (body) => reply(200, `${JSON.stringify(body ?? null)}\n`, json),
          (error: unknown) => reply(500, `${JSON.stringify({ error: errorMessage(error) })}\n`, json),
        );
      return;
    }
    reply(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`cannot listen on ${options.host}:${options.port}: ${error.message}`)),
    );
    server.listen(options.port, options.host, resolve);
  });
  return {
    server,
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections of probe clients would hold close() open.
        server.closeIdleConnections();
      }),
  };
}
