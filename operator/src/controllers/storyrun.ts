// The StoryRun reconciler: read the StoryRun, its pods, its volume and its
// records; plan the next step of its lifecycle (storyrun/plan.ts); apply it;
// write status; record transitions. Level-triggered and idempotent: running
// it twice, or after a crash at any point, changes nothing more.
import type * as k8s from '@kubernetes/client-node';
import type pg from 'pg';
import { storyRunSchema, type StoryRun, type StoryRunStatus } from '@nightshift/crds';
import type { AdmissionPolicy } from '../admission/admission.ts';
import type { OperatorConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { OperatorMetrics } from '../metrics.ts';
import { getDecision } from '../records/decisions.ts';
import { recordEvent } from '../records/events.ts';
import { closeOpenSessions, listSessions } from '../records/sessions.ts';
import { applyAction } from '../storyrun/actions.ts';
import { databaseSecretKeeper } from '../storyrun/database-secret.ts';
import { mergeConditions, storyRunConditions } from '../storyrun/conditions.ts';
import { podView, volumeView } from '../storyrun/observe.ts';
import { planStoryRun, type LifecyclePolicy, type Transition } from '../storyrun/plan.ts';
import { LABELS, volumeNameFor } from '../storyrun/resources.ts';

export const STORYRUN_FINALIZER = 'nightshift.dev/records';

export interface Cache<T> {
  get(namespace: string | undefined, name: string): T | undefined;
  list(namespace?: string): T[];
}

export interface StoryRunReconcilerDeps {
  config: OperatorConfig;
  pool: pg.Pool;
  core: k8s.CoreV1Api;
  storyRuns: Cache<k8s.KubernetesObject>;
  pods: Cache<k8s.V1Pod>;
  volumes: Cache<k8s.V1PersistentVolumeClaim>;
  admission: AdmissionPolicy;
  writeStatus(storyRun: StoryRun, status: StoryRunStatus): Promise<void>;
  event(storyRun: StoryRun, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
  addFinalizer(storyRun: StoryRun, finalizer: string): Promise<void>;
  removeFinalizer(storyRun: StoryRun, finalizer: string): Promise<void>;
  daemonRunId?: string;
  metrics?: OperatorMetrics;
  logger: Logger;
  now?: () => Date;
}

export function lifecyclePolicy(config: OperatorConfig): LifecyclePolicy {
  return {
    gracefulStopSeconds: config.runner.gracefulStopSeconds,
    immediateStopSeconds: config.runner.immediateStopSeconds,
    abortStopSeconds: config.runner.abortStopSeconds,
    backoffBaseSeconds: config.retry.backoffBaseSeconds,
    backoffMaxSeconds: config.retry.backoffMaxSeconds,
    podRetentionSeconds: config.retention.podSeconds,
    volumeRetentionSeconds: config.retention.volumeSeconds,
    persistentVolume: config.workspace.volume === 'PersistentVolumeClaim',
  };
}

export function storyRunReconciler(deps: StoryRunReconcilerDeps) {
  const policy = lifecyclePolicy(deps.config);
  const now = deps.now ?? (() => new Date());
  const ensureDatabaseSecret = databaseSecretKeeper(deps.core, deps.config);

  return async function reconcileStoryRun(namespace: string, name: string): Promise<{ requeueAfterMs?: number }> {
    const raw = deps.storyRuns.get(namespace, name);
    if (!raw) return {}; // deleted: its pods and volume go with it (ownerReferences)
    const parsed = storyRunSchema.safeParse(raw);
    if (!parsed.success) {
      deps.logger.error(
        { storyRun: `${namespace}/${name}`, issues: parsed.error.issues },
        'StoryRun does not match the schema',
      );
      return {};
    }
    const storyRun = parsed.data;
    const uid = storyRun.metadata.uid!;

    if (storyRun.metadata.deletionTimestamp) return finalize(storyRun);
    if (!storyRun.metadata.finalizers?.includes(STORYRUN_FINALIZER))
      await deps.addFinalizer(storyRun, STORYRUN_FINALIZER);

    const pods = deps.pods
      .list(namespace)
      .filter((p) => p.metadata?.labels?.[LABELS.storyRunUid] === uid)
      .flatMap((p) => podView(p) ?? []);
    const sessions = await listSessions(deps.pool, uid);
    const latest = sessions.at(-1);
    const decisionId = latest?.outcome === 'WaitingForHuman' ? latest.outcomeDetail?.decisionId : undefined;
    const decision = typeof decisionId === 'string' ? await getDecision(deps.pool, decisionId) : undefined;
    const started = sessions.length > 0 || pods.length > 0;
    const admission = started
      ? { admitted: true, reason: 'Admitted', message: 'admitted' }
      : await deps.admission(storyRun);

    const plan = planStoryRun(
      {
        storyRun,
        pods,
        volume: volumeView(deps.volumes.get(namespace, volumeNameFor(name))),
        sessions,
        decision,
        admission,
        now: now(),
      },
      policy,
    );

    for (const action of plan.actions) {
      const applied = await applyAction(action, {
        core: deps.core,
        pool: deps.pool,
        config: deps.config,
        storyRun,
        daemonRunId: deps.daemonRunId,
        onPodCreated: () => deps.metrics?.podsCreated.inc(),
        ensureDatabaseSecret,
      });
      if (!applied) return { requeueAfterMs: 1_000 }; // the world was not what the cache said: look again
      deps.logger.debug({ storyRun: `${namespace}/${name}`, action }, 'applied');
    }

    const status: StoryRunStatus = {
      ...plan.status,
      conditions: mergeConditions(
        storyRun.status?.conditions,
        storyRunConditions(plan.status, plan.reasons, admission.reason),
        storyRun.metadata.generation,
        now(),
      ),
    };
    if (!sameStatus(storyRun.status, status)) await deps.writeStatus(storyRun, status);
    await recordTransitions(storyRun, status, plan.transitions);
    return plan.requeueAfterMs === undefined ? {} : { requeueAfterMs: plan.requeueAfterMs };
  };

  async function recordTransitions(storyRun: StoryRun, status: StoryRunStatus, transitions: Transition[]) {
    const uid = storyRun.metadata.uid!;
    for (const t of transitions) {
      // One record per transition, per attempt and spec generation, however often we reconcile.
      const fresh = await recordEvent(deps.pool, {
        storyUid: uid,
        type: t.reason,
        step: status.step,
        message: t.message,
        data: { phase: status.phase, attempt: status.attempt, generation: storyRun.metadata.generation },
        idempotencyKey: `operator:${uid}:g${storyRun.metadata.generation}:a${status.attempt ?? 0}:${t.reason}`,
      });
      if (!fresh) continue;
      deps.metrics?.transitions.inc({ reason: t.reason });
      deps.logger.info(
        {
          storyRun: `${storyRun.metadata.namespace}/${storyRun.metadata.name}`,
          reason: t.reason,
          phase: status.phase,
          attempt: status.attempt,
        },
        t.message,
      );
      // Best effort, off the reconcile's critical path: the record above is the durable one.
      void deps.event(storyRun, t.warning ? 'Warning' : 'Normal', t.reason, t.message);
    }
  }

  async function finalize(storyRun: StoryRun): Promise<{ requeueAfterMs?: number }> {
    const uid = storyRun.metadata.uid!;
    const live = deps.pods
      .list(storyRun.metadata.namespace)
      .filter((p) => p.metadata?.labels?.[LABELS.storyRunUid] === uid && !p.metadata?.deletionTimestamp)
      .filter((p) => p.status?.phase === 'Pending' || p.status?.phase === 'Running');
    for (const pod of live) {
      await deps.core
        .deleteNamespacedPod({
          namespace: storyRun.metadata.namespace!,
          name: pod.metadata!.name!,
          gracePeriodSeconds: deps.config.runner.abortStopSeconds,
        })
        .catch((error: { code?: number }) => {
          if (error.code !== 404) throw error;
        });
    }
    await recordEvent(deps.pool, {
      storyUid: uid,
      type: 'Deleted',
      message: 'StoryRun deleted',
      idempotencyKey: `operator:${uid}:deleted`,
    });
    await closeOpenSessions(deps.pool, uid, { reason: 'Deleted', message: 'the StoryRun was deleted' });
    if (storyRun.metadata.finalizers?.includes(STORYRUN_FINALIZER))
      await deps.removeFinalizer(storyRun, STORYRUN_FINALIZER);
    return {};
  }
}

function sameStatus(a: StoryRunStatus | undefined, b: StoryRunStatus): boolean {
  return JSON.stringify(sortKeys(a ?? {})) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}
