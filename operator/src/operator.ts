// The operator process: database, caches, probes, leader election and the
// controllers, with a graceful shutdown that stops taking work, lets the
// reconciles in flight finish and releases the Lease — and never touches the
// story pods, which carry on without us.
import * as k8s from '@kubernetes/client-node';
import { storyRunResource } from './resources.ts';
import type { OperatorConfig } from './config/schema.ts';
import { storyRunReconciler } from './controllers/storyrun.ts';
import { admitUnqueued } from './admission/admission.ts';
import { openDatabase } from './database.ts';
import { startProbeServer } from './http-server.ts';
import {
  Controller,
  EventRecorder,
  LeaderElector,
  RestClient,
  addFinalizer,
  createInformer,
  keysFromController,
  parseKey,
  persistentVolumeClaimResource,
  podResource,
  removeFinalizer,
  resourcePath,
  reuseConnections,
  type Informer,
} from './kube/index.ts';
import { createLogger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { claimPidFile, releasePidFile } from './pid-file.ts';
import { startDaemonRun } from './records/daemon-runs.ts';
import { listenForStoryChanges } from './records/notifications.ts';
import { LABELS, MANAGED_BY, asKubernetesObject } from './storyrun/resources.ts';
import { VERSION } from './version.ts';

export async function runOperator(config: OperatorConfig): Promise<number> {
  const logger = createLogger(config.logLevel, { identity: config.identity });
  claimPidFile(config.pidFile);
  const metrics = createMetrics();

  const db = await openDatabase(config);
  logger.info({ embedded: db.embedded, applied: db.applied }, 'database ready');
  if (db.embedded && !config.runner.databaseURL) {
    // Story pods reach the embedded server on the node's loopback only.
    config.runner.databaseURL = db.url;
    if (!config.runner.hostNetwork) logger.warn('embedded database: story pods need runner.hostNetwork to reach it');
  }
  const daemonRun = await startDaemonRun(db.pool, config.identity, VERSION);

  const kc = new k8s.KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else kc.loadFromDefault();
  reuseConnections(kc);
  const rest = new RestClient(kc);
  const events = new EventRecorder({ kc, instance: config.identity, logger });

  // One informer per namespace watched (or one for all), for each kind we read.
  const namespaces: (string | undefined)[] = config.namespaces.length ? config.namespaces : [undefined];
  const informerOptions = (namespace: string | undefined) => ({
    ...(namespace ? { namespace } : {}),
    logger,
    registry: metrics.registry,
  });
  // Only the primary resyncs: a pod or claim resync would re-enqueue the same StoryRuns again.
  const resync = { resyncPeriodMs: config.resyncSeconds * 1000 };
  const owned = `${LABELS.managedBy}=${MANAGED_BY}`;
  const storyRuns = namespaces.map((ns) =>
    createInformer(rest, { resource: storyRunResource, ...informerOptions(ns), ...resync }),
  );
  const pods = namespaces.map((ns) =>
    createInformer<k8s.V1Pod>(rest, { resource: podResource, labelSelector: owned, ...informerOptions(ns) }),
  );
  const volumes = namespaces.map((ns) =>
    createInformer<k8s.V1PersistentVolumeClaim>(rest, {
      resource: persistentVolumeClaimResource,
      labelSelector: owned,
      ...informerOptions(ns),
    }),
  );
  const all = [...storyRuns, ...pods, ...volumes] as Informer[];
  for (const informer of all) informer.start();

  const reconcile = storyRunReconciler({
    config,
    pool: db.pool,
    client: rest,
    storyRuns: union(storyRuns),
    pods: union(pods),
    volumes: union(volumes),
    admission: admitUnqueued,
    // The operator is the only writer of StoryRun status: replace it whole, so
    // fields that no longer apply (a pending decision) disappear, but only over
    // the version it was computed from (a stale cache gets 422 and a retry).
    writeStatus: async (storyRun, status) => {
      const path = resourcePath(storyRunResource, {
        namespace: storyRun.metadata.namespace,
        name: storyRun.metadata.name,
        subresource: 'status',
      });
      await rest.jsonPatch(path, [
        { op: 'test', path: '/metadata/resourceVersion', value: storyRun.metadata.resourceVersion },
        { op: 'add', path: '/status', value: status },
      ]);
    },
    event: (storyRun, type, reason, note) => events.record(asKubernetesObject(storyRun), { type, reason, note }),
    addFinalizer: async (storyRun, finalizer) =>
      (await addFinalizer(rest, storyRunResource, asKubernetesObject(storyRun), finalizer)).metadata?.resourceVersion,
    removeFinalizer: async (storyRun, finalizer) => {
      await removeFinalizer(rest, storyRunResource, asKubernetesObject(storyRun), finalizer);
    },
    daemonRunId: daemonRun.id,
    metrics,
    logger,
  });
  const controller = new Controller({
    name: 'storyrun',
    for: storyRuns,
    watches: [...pods, ...volumes].map((informer) => ({
      informer,
      keysOf: keysFromController({ group: 'nightshift.dev', kind: 'StoryRun' }),
    })),
    reconcile: (key) => {
      const { namespace, name } = parseKey(key);
      return reconcile(namespace!, name);
    },
    workers: config.workers,
    logger,
    registry: metrics.registry,
  });

  let leading = false;
  const { server, port } = await startProbeServer({
    host: config.http.host,
    port: config.http.port,
    registry: metrics.registry,
    readiness: async () => {
      const problems = all.filter((i) => !i.hasSynced()).map((i) => `cache not synced: ${i.description}`);
      await db.pool.query('select 1').catch((error: Error) => problems.push(`database unreachable: ${error.message}`));
      return problems;
    },
  });
  logger.info({ port, version: VERSION, namespaces: config.namespaces }, 'nightshift-operator started');

  let notifications: ReturnType<typeof listenForStoryChanges> | undefined;
  const heartbeat = setInterval(() => {
    daemonRun.heartbeat().catch((error: Error) => logger.warn({ err: error }, 'daemon run heartbeat failed'));
    refreshPhaseGauge();
  }, 30_000);
  heartbeat.unref();
  const refreshPhaseGauge = () => {
    metrics.storyRunsByPhase.reset();
    for (const informer of storyRuns) {
      for (const sr of informer.list()) {
        const phase = (sr as { status?: { phase?: string } }).status?.phase ?? 'New';
        metrics.storyRunsByPhase.inc({ phase });
      }
    }
  };

  let exitCode = 0;
  let resolveDone: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let shuttingDown = false;
  const shutdown = async (reason: string, code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    exitCode = code;
    logger.info({ reason }, 'shutting down: no new work; waiting for reconciles in flight');
    // Drain our reconciles before releasing the Lease, so the next leader never overlaps with them.
    if (leading) await controller.stop();
    await elector?.stop();
    await notifications?.stop();
    await Promise.all(all.map((i) => i.stop()));
    clearInterval(heartbeat);
    await daemonRun.stop(reason).catch(() => {});
    await db.pool.end().catch(() => {});
    await new Promise((resolve) => server.close(resolve));
    releasePidFile(config.pidFile);
    logger.info('stopped');
    resolveDone();
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.once('SIGINT', () => void shutdown('SIGINT', 0));

  const lead = async () => {
    leading = true;
    logger.info('leading: starting controllers');
    await controller.start();
    notifications = listenForStoryChanges(
      db.url,
      (key) => controller.enqueue(key),
      (error) => logger.warn({ err: error }, 'story notifications interrupted; reconnecting'),
    );
  };

  let elector: LeaderElector | undefined;
  if (config.leaderElection.enabled) {
    elector = new LeaderElector({
      kc,
      leaseName: config.leaderElection.leaseName,
      namespace: config.leaderElection.namespace,
      identity: config.identity,
      leaseDurationMs: config.leaderElection.leaseDurationSeconds * 1000,
      renewDeadlineMs: config.leaderElection.renewDeadlineSeconds * 1000,
      retryPeriodMs: config.leaderElection.retryPeriodSeconds * 1000,
      onStartedLeading: () =>
        lead().catch((error: Error) => {
          logger.error({ err: error }, 'could not start the controllers');
          void shutdown('controllers failed to start', 1);
        }),
      onStoppedLeading: (why) => {
        // Losing the Lease means another replica may already act: stop at once.
        if (why === 'Lost') void shutdown('lost leadership', 1);
      },
      onNewLeader: (holder) => logger.info({ leader: holder }, 'leader observed'),
      logger,
      registry: metrics.registry,
    });
    void elector.run();
  } else {
    await lead().catch((error: Error) => {
      logger.error({ err: error }, 'could not start the controllers');
      void shutdown('controllers failed to start', 1);
    });
  }

  await done;
  return exitCode;
}

/** Many per-namespace informer caches read as one. */
function union<T extends k8s.KubernetesObject>(informers: Informer<T>[]) {
  return {
    get: (namespace: string | undefined, name: string) => {
      for (const informer of informers) {
        const found = informer.get(namespace, name);
        if (found) return found;
      }
      return undefined;
    },
    list: (namespace?: string) => informers.flatMap((informer) => informer.list(namespace)),
  };
}
