// The health monitor: every health.checkIntervalSeconds (60 by default) the
// leader looks at every running attempt and asks slowOrStuck. Stuck (no
// heartbeat for stuckAfterSeconds): a Warning Event, and the pod is deleted
// so the lifecycle restarts the story from its checkpoint (a crash, counted
// against backoffLimit). Slow (alive, one step for slowAfterSeconds): a
// Warning Event and the StoryRun's Slow condition; nothing is stopped. Each
// verdict is an execution_events row keyed by attempt (and step), recorded
// before it is acted on, so a restart or a second replica never repeats one.
// /health serves the last check with the queues' state.
import { HttpMethod, type KubernetesObject } from '@kubernetes/client-node';
import type pg from 'pg';
import { z } from 'zod';
import { workQueueSchema } from '@nightshift/crds';
import { EXECUTION_SESSION_COLUMNS, RESOURCES, executionSessions } from '@nightshift/crds/contract';
import {
  isConflict,
  isNotFound,
  keyOf,
  podResource,
  resourcePath,
  type Manager,
  type RestClient,
} from '../kube/index.ts';
import type { Logger } from '../log.ts';
import type { OperatorMetrics } from '../metrics.ts';
import { recordEvent } from '../records/events.ts';
import { slowOrStuck, type ProgressThresholds } from './progress.ts';
import { storyCaches } from '../storyrun/cache.ts';

type Cache = { get(namespace: string, name: string): KubernetesObject | undefined; list(): KubernetesObject[] };

export interface HealthReport {
  leader: boolean;
  lastCheck: string | null;
  checkIntervalSeconds: number;
  thresholds: ProgressThresholds;
  running: number;
  stuck: { storyRun: string; pod: string; silentSeconds: number; message: string }[];
  slow: { storyRun: string; step: string | null; stepSeconds: number; message: string }[];
  /** Pods restarted for being stuck since this operator started. */
  restarted: number;
  queues: { workQueue: string; state?: string; running?: number; queued?: number; paused: boolean }[];
  error?: string;
}

export interface HealthMonitorDeps {
  pool: pg.Pool;
  client: RestClient;
  storyRuns: Cache;
  workQueues: Cache;
  thresholds: ProgressThresholds;
  checkIntervalSeconds: number;
  event(object: KubernetesObject, type: 'Normal' | 'Warning', reason: string, note: string): Promise<void>;
  enqueueStoryRun(key: string): void;
  metrics?: OperatorMetrics;
  logger: Logger;
  now?: () => Date;
}

const whereSchema = z.object({ namespace: z.string(), name: z.string() });

export class HealthMonitor {
  private readonly deps: HealthMonitorDeps;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private last: Omit<HealthReport, 'queues' | 'leader'> | undefined;
  private restarted = 0;

  constructor(deps: HealthMonitorDeps) {
    this.deps = deps;
  }

  start(): void {
    const tick = () => {
      this.checking = this.check()
        .catch((error: Error) => {
          this.deps.logger.warn({ err: error }, `health check failed: ${error.message}`);
          if (this.last) this.last.error = error.message;
        })
        .finally(() => (this.checking = undefined));
    };
    tick();
    this.timer = setInterval(tick, this.deps.checkIntervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  /** One look at every running attempt of a watched StoryRun. */
  async check(): Promise<void> {
    const { deps } = this;
    const now = deps.now?.() ?? new Date();
    const { rows } = await deps.pool.query(
      `select ${EXECUTION_SESSION_COLUMNS} from execution_sessions
        where ended_at is null and runner_started_at is not null and pod_uid is not null`,
    );
    const stuck: HealthReport['stuck'] = [];
    const slow: HealthReport['slow'] = [];
    let running = 0;
    for (const row of rows) {
      const { namespace, name } = whereSchema.parse(row);
      const storyRun = deps.storyRuns.get(namespace, name);
      if (!storyRun) continue; // not a namespace this operator watches, or already gone
      running++;
      const session = executionSessions.parse(row);
      const progress = slowOrStuck(session, now, deps.thresholds);
      const key = keyOf({ namespace, name });
      if (progress.verdict === 'Stuck') {
        stuck.push({
          storyRun: key,
          pod: session.podName,
          silentSeconds: Math.round(progress.silentSeconds),
          message: progress.message,
        });
        const fresh = await recordEvent(deps.pool, {
          storyUid: session.storyUid,
          sessionId: session.id,
          type: 'Stuck',
          step: session.step ?? undefined,
          message: `${progress.message}: restarting pod ${session.podName} from the last checkpoint`,
          idempotencyKey: `health:stuck:${session.id}`,
        });
        if (fresh) {
          this.restarted++;
          deps.metrics?.stuckRestarts.inc();
          void deps.event(
            storyRun,
            'Warning',
            'Stuck',
            `pod ${session.podName}: ${progress.message}; restarting it from the last checkpoint`,
          );
        }
        await this.restart(namespace, session.podName, session.podUid);
        deps.enqueueStoryRun(key);
      } else if (progress.verdict === 'Slow') {
        slow.push({
          storyRun: key,
          step: progress.step,
          stepSeconds: Math.round(progress.stepSeconds),
          message: progress.message,
        });
        const fresh = await recordEvent(deps.pool, {
          storyUid: session.storyUid,
          sessionId: session.id,
          type: 'Slow',
          step: session.step ?? undefined,
          message: progress.message,
          idempotencyKey: `health:slow:${session.id}:${session.step ?? ''}`,
        });
        if (fresh) {
          deps.metrics?.slowSteps.inc();
          void deps.event(storyRun, 'Warning', 'Slow', progress.message);
          deps.enqueueStoryRun(key); // its Slow condition
        }
      }
    }
    this.last = {
      lastCheck: now.toISOString(),
      checkIntervalSeconds: deps.checkIntervalSeconds,
      thresholds: deps.thresholds,
      running,
      stuck,
      slow,
      restarted: this.restarted,
    };
  }

  /** Deletes the stuck pod (only the one of that attempt), so the lifecycle starts the next attempt from the checkpoint. */
  private async restart(namespace: string, podName: string, podUid: string | null): Promise<void> {
    const path = resourcePath(podResource, { namespace, name: podName });
    await this.deps.client
      .request(HttpMethod.DELETE, path, {
        body: { gracePeriodSeconds: 1, ...(podUid ? { preconditions: { uid: podUid } } : {}) },
      })
      .catch((error: unknown) => {
        // Gone already, or a newer pod by that name (the precondition failed): nothing to restart.
        if (!isNotFound(error) && !isConflict(error)) throw error;
      });
  }

  report(leader: boolean): HealthReport {
    const queues = this.deps.workQueues.list().flatMap((raw) => {
      const parsed = workQueueSchema.safeParse(raw);
      if (!parsed.success) return [];
      const q = parsed.data;
      return [
        {
          workQueue: keyOf({ namespace: q.metadata.namespace, name: q.metadata.name }),
          ...(q.status?.state ? { state: q.status.state } : {}),
          ...(q.status?.running !== undefined ? { running: q.status.running } : {}),
          ...(q.status?.queued !== undefined ? { queued: q.status.queued } : {}),
          paused: q.spec.paused,
        },
      ];
    });
    return {
      leader,
      ...(this.last ?? {
        lastCheck: null,
        checkIntervalSeconds: this.deps.checkIntervalSeconds,
        thresholds: this.deps.thresholds,
        running: 0,
        stuck: [],
        slow: [],
        restarted: this.restarted,
      }),
      queues,
    };
  }
}

/** The monitor as a leader-only runnable, and /health on the probe server. */
export function setupHealthMonitor(
  manager: Manager,
  deps: Omit<HealthMonitorDeps, 'storyRuns' | 'workQueues'>,
): HealthMonitor {
  const monitor = new HealthMonitor({
    ...deps,
    storyRuns: storyCaches(manager).storyRuns,
    workQueues: manager.informer(RESOURCES.workQueue),
  });
  manager.addRunnable({
    name: 'health monitor',
    needLeaderElection: true,
    start: () => monitor.start(),
    stop: () => monitor.stop(),
  });
  manager.addHandler('/health', () => monitor.report(manager.isLeader()));
  return monitor;
}
