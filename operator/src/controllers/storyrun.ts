// The StoryRun reconciler: read the StoryRun, its pods, its volume and its
// records; plan the next step of its lifecycle (storyrun/plan.ts); apply it;
// write status; record transitions. Level-triggered and idempotent: running
// it twice, or after a crash at any point, changes nothing more.
import { HttpMethod, type V1PersistentVolumeClaim, type V1Pod, type KubernetesObject } from '@kubernetes/client-node';
import type pg from 'pg';
import { storyRunSchema, type StoryRun, type StoryRunStatus } from '@nightshift/crds';
import type { AdmissionPolicy } from '../admission/admission.ts';
import type { OperatorConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { OperatorMetrics } from '../metrics.ts';
import { getDecision } from '../records/decisions.ts';
import { recordEvent } from '../records/events.ts';
import { closeOpenSessions, listSessions } from '../records/sessions.ts';
import {
  isNotFound,
  podResource,
  resourcePath,
  statusCode,
  statusEqual,
  type Informer,
  type RestClient,
} from '../kube/index.ts';
import { applyAction } from '../storyrun/actions.ts';
import { databaseSecretKeeper } from '../storyrun/database-secret.ts';
import { mergeConditions, storyRunConditions } from '../storyrun/conditions.ts';
import { podView, volumeView } from '../storyrun/observe.ts';
import { isLive, planStoryRun, type LifecyclePolicy, type Transition } from '../storyrun/plan.ts';
import { LABELS, volumeNameFor } from '../storyrun/resources.ts';

export const STORYRUN_FINALIZER = 'nightshift.dev/records';

export type Cache<T extends KubernetesObject> = Pick<Informer<T>, 'get' | 'list'>;

export interface StoryRunReconcilerDeps {
  config: OperatorConfig;
  pool: pg.Pool;
  client: RestClient;
  storyRuns: Cache<KubernetesObject>;
  pods: Cache<V1Pod>;
  volumes: Cache<V1PersistentVolumeClaim>;
  admission: AdmissionPolicy;
  writeStatus(storyRun: StoryRun, status: StoryRunStatus): Promise<void>;
  event(storyRun: StoryRun, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
  /** Adds the finalizer; resolves to the StoryRun's new resourceVersion. */
  addFinalizer(storyRun: StoryRun, finalizer: string): Promise<string | undefined>;
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
    pendingTimeoutSeconds: config.runner.pendingTimeoutSeconds,
    persistentVolume: config.workspace.volume === 'PersistentVolumeClaim',
  };
}

export function storyRunReconciler(deps: StoryRunReconcilerDeps) {
  const policy = lifecyclePolicy(deps.config);
  const now = deps.now ?? (() => new Date());
  const ensureDatabaseSecret = databaseSecretKeeper(deps.client, deps.config);

  /** The pods of this story: every pod is made after its attempt's record, so the records name them all. */
  const podsOf = (namespace: string, uid: string, podNames: string[]) =>
    podNames
      .map((name) => deps.pods.get(namespace, name))
      .filter((p): p is V1Pod => p?.metadata?.labels?.[LABELS.storyRunUid] === uid)
      .flatMap((p) => podView(p) ?? []);

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
    if (!storyRun.metadata.finalizers?.includes(STORYRUN_FINALIZER)) {
      // The status below is written over this new version, not the cached one.
      storyRun.metadata.resourceVersion = await deps.addFinalizer(storyRun, STORYRUN_FINALIZER);
    }

    const sessions = await listSessions(deps.pool, uid);
    const pods = podsOf(
      namespace,
      uid,
      sessions.map((s) => s.podName),
    );
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
        client: deps.client,
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
    // Transitions first: they are keyed, so a crash between the two writes repeats
    // nothing, while the other order could lose a transition for good.
    await recordTransitions(storyRun, status, plan.transitions);
    if (!statusEqual(storyRun.status ?? {}, status)) {
      try {
        await deps.writeStatus(storyRun, status);
      } catch (error) {
        // Written over a newer version than our cache holds: look again once it arrives.
        const code = statusCode(error);
        if (code === 409 || code === 422) return { requeueAfterMs: 200 };
        throw error;
      }
    }
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
    const sessions = await listSessions(deps.pool, uid);
    const live = podsOf(
      storyRun.metadata.namespace!,
      uid,
      sessions.map((s) => s.podName),
    ).filter((p) => isLive(p) && !p.terminating);
    for (const pod of live) {
      const path = resourcePath(podResource, { namespace: storyRun.metadata.namespace, name: pod.name });
      await deps.client
        .request(HttpMethod.DELETE, path, { body: { gracePeriodSeconds: deps.config.runner.abortStopSeconds } })
        .catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
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
