// The operator process: configuration → database → manager → controllers →
// run until a signal (or the manager stops itself), then close what we
// opened. The manager (kube/manager.ts) owns informers, probes, leader
// election and the shutdown order; it never touches the story pods, which
// carry on without us.
import * as k8s from '@kubernetes/client-node';
import { RESOURCES } from '@nightshift/crds/contract';
import { admitByQueue } from './admission/admission.ts';
import { ConfigError } from './config/load.ts';
import { redactConfig } from './config/redact.ts';
import type { OperatorConfig } from './config/schema.ts';
import { storyBudgets, withBudgetAdmission } from './budget/story-budgets.ts';
import { setupBudgetController } from './controllers/budget.ts';
import { lifecyclePolicy, setupStoryRunController } from './controllers/storyrun.ts';
import { setupWorkQueueController } from './controllers/workqueue.ts';
import { setupHealthMonitor } from './health/monitor.ts';
import { openDatabase } from './database.ts';
import { EventRecorder, Manager, RestClient, reuseConnections } from './kube/index.ts';
import { createLogger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { setupNotifier } from './notify/notifier.ts';
import { notificationsDashboardURL, readNotifierSecrets } from './notify/secrets.ts';
import { claimPidFile, releasePidFile } from './pid-file.ts';
import { startDaemonRun } from './records/daemon-runs.ts';
import { storyPodSettings } from './storyrun/resources.ts';
import { VERSION } from './version.ts';

const HEARTBEAT_SECONDS = 30;

export async function runOperator(config: OperatorConfig): Promise<number> {
  const logger = createLogger(config.logLevel, { identity: config.identity });
  let notifier;
  try {
    // Secrets are files a Secret is mounted as: read (and checked) before anything starts.
    notifier = {
      secrets: readNotifierSecrets(config.notifications),
      dashboardURL: notificationsDashboardURL(config.notifications, config.runner.dashboardURL),
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`nightshift-operator: ${error.message}`);
    return 78; // EX_CONFIG
  }
  claimPidFile(config.pidFile);
  const metrics = createMetrics();

  const db = await openDatabase(config);
  logger.info({ embedded: db.embedded, applied: db.applied }, 'database ready');
  if (db.embedded && !config.runner.databaseURL) {
    // Story pods reach the embedded server on the node's loopback only.
    config.runner.databaseURL = db.url;
    if (!config.runner.hostNetwork) logger.warn('embedded database: story pods need runner.hostNetwork to reach it');
  }
  const daemonRun = await startDaemonRun(db.pool, {
    identity: config.identity,
    version: VERSION,
    config: redactConfig(config),
    staleAfterSeconds: 3 * HEARTBEAT_SECONDS,
  });
  if (daemonRun.closedCrashed > 0) {
    logger.warn({ closed: daemonRun.closedCrashed }, 'closed daemon runs that ended without a goodbye as crashed');
  }

  const kc = new k8s.KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else kc.loadFromDefault();
  reuseConnections(kc);
  const client = new RestClient(kc);
  const manager = new Manager({
    name: 'nightshift-operator',
    client,
    namespaces: config.namespaces,
    logger,
    registry: metrics.registry,
    resyncPeriodMs: config.resyncSeconds * 1000,
    probes: config.http,
    health: {
      unreadyAfterMs: config.health.unreadyAfterSeconds * 1000,
      exitAfterMs: config.health.exitAfterSeconds * 1000,
    },
    ...(config.leaderElection.enabled
      ? {
          leaderElection: {
            leaseName: config.leaderElection.leaseName,
            namespace: config.leaderElection.namespace,
            identity: config.identity,
            leaseDurationMs: config.leaderElection.leaseDurationSeconds * 1000,
            renewDeadlineMs: config.leaderElection.renewDeadlineSeconds * 1000,
            retryPeriodMs: config.leaderElection.retryPeriodSeconds * 1000,
          },
        }
      : {}),
  });
  manager.addReadinessCheck('database', async () =>
    db.pool.query('select 1').then(
      () => undefined,
      (error: Error) => `unreachable: ${error.message}`,
    ),
  );
  const events = new EventRecorder({ kc, instance: config.identity, logger });
  const workQueues = manager.informer(RESOURCES.workQueue);
  const budgets = storyBudgets({
    pool: db.pool,
    workQueues,
    settings: config.budget,
  });
  setupBudgetController(manager, {
    client,
    pool: db.pool,
    events,
    settings: config.budget,
    workers: config.workers,
    registry: metrics.registry,
    logger,
  });
  const storyRunController = setupStoryRunController(manager, {
    client,
    namespaces: config.namespaces,
    pool: db.pool,
    databaseURL: db.url,
    events,
    // Queued stories are admitted by their WorkQueue (which asks the Budget); stories without a queue by their own Budget.
    admission: withBudgetAdmission(
      admitByQueue({ pool: db.pool, queueExists: (namespace, name) => !!workQueues.get(namespace, name) }),
      budgets.check,
    ),
    budgets,
    policy: lifecyclePolicy(config),
    settings: storyPodSettings(config),
    workers: config.workers,
    daemonRunId: daemonRun.id,
    metrics,
    logger,
  });
  setupWorkQueueController(manager, {
    client,
    pool: db.pool,
    events,
    budget: budgets.check,
    storyRunController,
    daemonRunId: daemonRun.id,
    metrics,
    logger,
  });
  setupHealthMonitor(manager, {
    pool: db.pool,
    client,
    thresholds: {
      stuckAfterSeconds: config.health.stuckAfterSeconds,
      slowAfterSeconds: config.health.slowAfterSeconds,
    },
    checkIntervalSeconds: config.health.checkIntervalSeconds,
    event: (object, type, reason, note) => events.record(object, { type, reason, note }),
    enqueueStoryRun: (key) => storyRunController.enqueue(key),
    metrics,
    logger,
  });

  setupNotifier(manager, metrics.registry, {
    pool: db.pool,
    config: config.notifications,
    ...notifier,
    claimer: `${config.identity}/${daemonRun.id}`,
    logger,
  });

  const heartbeat = setInterval(() => {
    daemonRun.heartbeat().catch((error: Error) => logger.warn({ err: error }, 'daemon run heartbeat failed'));
  }, HEARTBEAT_SECONDS * 1000);
  heartbeat.unref();
  let signalled: string | undefined;
  const onSignal = (signal: string) => {
    signalled = signal;
    void manager.stop(signal, 0);
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));

  await manager.start().catch(() => undefined); // a failed start stops the manager; done says how
  logger.info(
    { version: VERSION, port: manager.probePort, namespaces: config.namespaces },
    'nightshift-operator started',
  );
  const exitCode = await manager.done;

  clearInterval(heartbeat);
  await daemonRun.stop(signalled ?? `exit code ${exitCode}`).catch(() => {});
  // A graceful stop takes the embedded Postgres down with us; a failure exit leaves it for the next start.
  await db.close({ stopEmbeddedServer: exitCode === 0 && signalled !== undefined });
  releasePidFile(config.pidFile);
  logger.info({ exitCode }, 'stopped');
  return exitCode;
}
