// The dashboard server process: configuration → database (migrated) →
// manager with shared informers (no leader election: every replica serves)
// → change recorder and feed → the express app and the WebSocket on one
// HTTP server. Prints the first token once when the database has none. On
// SIGTERM it stops accepting, closes the WebSockets, finishes the requests in
// flight and writes what the recorder still holds, then exits 0.
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { Manager, RestClient, reuseConnections } from '@nightshift/operator/kube';
import { createPool, migrate, redactURL } from '@nightshift/operator/postgres';
import { Registry, collectDefaultMetrics, Gauge } from 'prom-client';
import { buildApp, VERSION } from './app.ts';
import { Authenticator } from './auth/authenticate.ts';
import { bootstrapToken } from './auth/tokens.ts';
import { ClusterView } from './cluster/cluster.ts';
import { ClusterWriter } from './cluster/writer.ts';
import type { DashboardConfig } from './config.ts';
import { Controls } from './controls/apply.ts';
import { ChangeFeed } from './live/feed.ts';
import { ChangeRecorder } from './live/recorder.ts';
import { WebSocketHub } from './live/websocket.ts';
import { createLogger } from './log.ts';
import { auditLog } from './records/audit.ts';

export async function runDashboard(
  config: DashboardConfig,
  out: (line: string) => void = console.log,
): Promise<number> {
  const logger = createLogger(config.logLevel, { identity: config.identity });
  const { applied } = await migrate(config.databaseURL);
  const pool = createPool(config.databaseURL, { applicationName: `nightshift-dashboard/${config.identity}`, max: 20 });
  logger.info({ database: redactURL(config.databaseURL), applied }, 'database ready');

  const kc = new k8s.KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else kc.loadFromDefault();
  reuseConnections(kc);
  const client = new RestClient(kc, { fieldManager: 'nightshift-dashboard' });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'nightshift_dashboard_' });
  const manager = new Manager({
    name: 'nightshift-dashboard',
    client,
    namespaces: config.namespaces,
    logger,
    registry,
    probes: config.probes,
    health: { unreadyAfterMs: 30_000, exitAfterMs: 300_000 },
  });
  const cluster = new ClusterView(manager, config.namespaces, logger);
  const recorder = new ChangeRecorder({ pool, cluster, logger });
  const feed = new ChangeFeed({
    pool,
    databaseURL: config.databaseURL,
    cluster,
    logger,
    retentionHours: config.changeRetentionHours,
  });
  manager.addRunnable(recorder);
  manager.addRunnable(feed);
  manager.addReadinessCheck('database', () =>
    pool.query('select 1').then(
      () => undefined,
      (error: Error) => `unreachable: ${error.message}`,
    ),
  );

  const authenticator = new Authenticator(pool, {
    failuresPerMinute: config.authFailuresPerMinute,
    onError: (error) => logger.warn({ err: error }, 'recording token use failed'),
  });
  const controls = new Controls({ writer: new ClusterWriter(client), audit: auditLog(pool), logger });
  const { app } = buildApp({
    deps: { cluster, pool, controls, feed },
    authenticator,
    logger,
    corsOrigins: config.corsOrigins,
    trustProxy: config.trustProxy,
    webRoot: fileURLToPath(new URL('../../web/dist', import.meta.url)),
  });
  const hub = new WebSocketHub({
    feed,
    authenticator,
    logger,
    heartbeatMs: config.heartbeatMs,
    maxBufferedBytes: config.maxBufferedBytes,
    allowedOrigins: config.corsOrigins,
  });
  new Gauge({
    name: 'nightshift_dashboard_websocket_clients',
    help: 'WebSocket clients connected now',
    registers: [registry],
    collect() {
      this.set(hub.size);
    },
  });
  new Gauge({
    name: 'nightshift_dashboard_websocket_dropped_total',
    help: 'WebSocket clients dropped for not keeping up, since start',
    registers: [registry],
    collect() {
      this.set(hub.dropped);
    },
  });
  new Gauge({
    name: 'nightshift_dashboard_change_seq',
    help: 'The last change-log seq handed to clients',
    registers: [registry],
    collect() {
      this.set(feed.head);
    },
  });

  const server = createServer(app);
  server.on('upgrade', (req, socket, head) => void hub.handleUpgrade(req, socket, head));
  server.keepAliveTimeout = 65_000;

  let signalled: string | undefined;
  const onSignal = (signal: string) => {
    signalled = signal;
    void manager.stop(signal, 0);
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));

  await manager.start().catch(() => undefined);
  await cluster.waitForSync(AbortSignal.timeout(120_000)).catch((error: Error) => {
    logger.warn({ err: error }, 'caches did not sync in time; serving what they hold');
  });
  // The first token is made and printed before the server listens: whoever finds it up can log in.
  const url =
    config.publicURL ?? `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${config.http.port}`;
  if (config.bootstrapToken) {
    const token = await bootstrapToken(pool).catch((error: Error) => {
      logger.error({ err: error }, 'creating the first token failed');
      return undefined;
    });
    if (token) {
      // Once, on stdout only (never into the JSON log): it is not stored and cannot be shown again.
      out(
        `nightshift-dashboard: the first token (write access, named "admin"); it is shown only now:\n  ${token}\n  curl -H "Authorization: Bearer ${token}" ${url}/api/stories`,
      );
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`cannot listen on ${config.http.host}:${config.http.port}: ${error.message}`)),
    );
    server.listen(config.http.port, config.http.host, resolve);
  }).then(
    () =>
      logger.info(
        {
          version: VERSION,
          url,
          port: (server.address() as { port: number }).port,
          probePort: manager.probePort,
          namespaces: config.namespaces,
        },
        'nightshift-dashboard started',
      ),
    async (error: Error) => {
      logger.error({ err: error }, error.message);
      await manager.stop(error.message, 1);
    },
  );

  const exitCode = await manager.done;
  await hub.close();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, 10_000).unref();
  });
  await pool.end().catch(() => {});
  logger.info({ exitCode, reason: signalled }, 'stopped');
  return exitCode;
}
