// The notifier: a leader-only runnable on the manager that, every pollSeconds
// (sooner when a held notification becomes due), reads the records into the
// outbox, plans the outbox into deliveries, takes over claims of senders that
// died, and sends what is due. It is fed only from records, never called by a
// reconciler, so a slow Slack never slows a story.
import type pg from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { KubernetesObject } from '@kubernetes/client-node';
import { workQueueSchema } from '@nightshift/crds';
import { CHANNELS, RESOURCES, type Channel } from '@nightshift/crds/contract';
import type { NotificationsConfig, RecipientConfig } from '../config/notifications.ts';
import type { Manager } from '../kube/index.ts';
import type { Logger } from '../log.ts';
import { emailTransport } from './channels/email.ts';
import { slackTransport } from './channels/slack.ts';
import type { Transport } from './channels/transport.ts';
import { SourceBackoff, collectNotifications, planOutbox } from './collect.ts';
import { deliveryCounts, recoverExpiredClaims } from './deliveries.ts';
import type { QueueSchedule, RecipientPolicy } from './plan.ts';
import { dashboardLinks } from './render/links.ts';
import type { NotifierSecrets } from './secrets.ts';
import { sendDue } from './send.ts';
import { budgetAlertsSource } from './sources/budget-alerts.ts';
import { digestsSource } from './sources/digests.ts';
import { queueEventsSource } from './sources/queue-events.ts';
import type { NotificationSource } from './sources/source.ts';
import { storyEventsSource } from './sources/story-events.ts';

export const SOURCES: NotificationSource[] = [storyEventsSource, budgetAlertsSource, queueEventsSource, digestsSource];

export interface NotifierDeps {
  pool: pg.Pool;
  config: NotificationsConfig;
  dashboardURL: string;
  secrets: NotifierSecrets;
  /** Names this process on its claims: identity and daemon run. */
  claimer: string;
  logger: Logger;
}

const policyOf = (r: RecipientConfig): RecipientPolicy => ({
  name: r.name,
  channel: r.slack ? 'slack' : 'email',
  timeZone: r.timeZone,
  quietHours: r.quietHours,
  batchSeconds: r.batchSeconds,
  repeatSeconds: r.repeatSeconds,
});

/** The blackouts of every WorkQueue in the cache (one that does not parse has none). */
function queueSchedules(queues: KubernetesObject[]): QueueSchedule[] {
  return queues.flatMap((raw) => {
    const parsed = workQueueSchema.safeParse(raw);
    if (!parsed.success) return [];
    const q = parsed.data;
    return [
      {
        namespace: q.metadata.namespace ?? '',
        name: q.metadata.name ?? '',
        budgetRef: q.spec.budgetRef,
        blackouts: (q.spec.schedule?.blackouts ?? []).map((b) => ({
          start: new Date(b.start),
          end: new Date(b.end),
          reason: `blackout of ${q.metadata.namespace}/${q.metadata.name}${b.reason ? `: ${b.reason}` : ''}`,
        })),
      },
    ];
  });
}

export function setupNotifier(manager: Manager, registry: Registry, deps: NotifierDeps): void {
  const { config, logger } = deps;
  const log = logger.child({ component: 'notifier' });
  if (config.recipients.length === 0) {
    log.info('notifications off: no recipients configured (notifications.recipients)');
    return;
  }
  const links = dashboardLinks(deps.dashboardURL);
  const recipients = config.recipients;
  const policies = recipients.map(policyOf);
  const transports = new Map<Channel, Transport>();
  const timeoutMs = config.sendTimeoutSeconds * 1000;
  if (recipients.some((r) => r.slack)) {
    transports.set(
      'slack',
      slackTransport({
        webhookURLs: deps.secrets.slackWebhookURLs,
        links,
        timeZoneOf: (name) => recipients.find((r) => r.name === name)?.timeZone ?? 'UTC',
        timeoutMs,
      }),
    );
  }
  if (deps.secrets.smtp && recipients.some((r) => r.email)) {
    transports.set(
      'email',
      emailTransport({
        smtp: deps.secrets.smtp,
        addresses: new Map(recipients.flatMap((r) => (r.email ? [[r.name, r.email.to] as const] : []))),
        links,
        unsubscribeURL: config.email?.unsubscribeURL,
        timeoutMs,
      }),
    );
  }
  const workQueues = manager.informer(RESOURCES.workQueue);
  const outcomes = new Counter({
    name: 'nightshift_notifications_total',
    help: 'Notification sends by channel and outcome (sent, retry, failed, uncertain)',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'nightshift_notification_deliveries',
    help: 'Notification deliveries by state, as the outbox holds them',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await deliveryCounts(deps.pool).catch(() => ({}) as Record<string, number>);
      this.reset();
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  manager.addHandler('/notifications', async () => ({
    recipients: policies.map((p) => ({ name: p.name, channel: p.channel })),
    deliveries: await deliveryCounts(deps.pool),
  }));

  let stopping = false;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  const pollMs = config.pollSeconds * 1000;
  const sourceBackoff = new SourceBackoff();

  const tick = async (): Promise<Date | undefined> => {
    const now = new Date();
    const added = await collectNotifications(deps.pool, SOURCES, { now, recipients }, log, sourceBackoff);
    if (Object.keys(added).length) log.debug({ added }, 'notifications added to the outbox');
    const plan = await planOutbox(deps.pool, { now, recipients: policies, queues: queueSchedules(workQueues.list()) });
    if (plan?.deliveries.length || plan?.suppressed.length) {
      log.info(
        { deliveries: plan.deliveries.length, suppressed: plan.suppressed.length, held: plan.held.length },
        'notifications planned',
      );
    }
    const recovered = await recoverExpiredClaims(
      deps.pool,
      CHANNELS.filter((c) => transports.get(c)?.deduplicates),
    );
    if (recovered.released || recovered.uncertain)
      log.warn(recovered, 'took over the claims of a notifier that stopped');
    await sendDue({
      pool: deps.pool,
      transports,
      claimer: deps.claimer,
      claimSeconds: config.claimSeconds,
      retry: config.retry,
      batch: 10,
      stopping: () => stopping,
      logger: log,
      outcomes,
    });
    return plan?.wakeAt;
  };

  const run = async () => {
    let failures = 0;
    while (!stopping) {
      let delayMs = pollMs;
      try {
        const wakeAt = await tick();
        failures = 0;
        if (wakeAt) delayMs = Math.max(0, Math.min(pollMs, wakeAt.getTime() - Date.now()));
      } catch (error) {
        failures++;
        delayMs = Math.min(pollMs * 2 ** Math.min(failures, 6), 60_000);
        log.error({ err: error, failures }, 'notifier tick failed');
      }
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };

  manager.addRunnable({
    name: 'notifier',
    needLeaderElection: true,
    start: () => {
      stopping = false;
      log.info({ recipients: policies.map((p) => `${p.name} (${p.channel})`) }, 'notifier started');
      loop = run();
    },
    stop: async () => {
      stopping = true;
      wake?.();
      await loop;
      for (const transport of transports.values()) await transport.close();
    },
  });
}
