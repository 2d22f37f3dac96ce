// The StoryRun reconciler: read the StoryRun, its pods, its volume and its
// records; plan the next step of its lifecycle (storyrun/plan.ts); apply it;
// write status; record transitions. Level-triggered and idempotent: running
// it twice, or after a crash at any point, changes nothing more.
import { HttpMethod, type KubernetesObject, type V1PersistentVolumeClaim, type V1Pod } from '@kubernetes/client-node';
import type pg from 'pg';
import {
  isTerminalPhase,
  storyRunPhaseSchema,
  storyRunSchema,
  type StoryRun,
  type StoryRunStatus,
} from '@nightshift/crds';
import { LABELS, RESOURCES, STORYRUN_FINALIZER } from '@nightshift/crds/contract';
import { Gauge } from 'prom-client';
import type { AdmissionPolicy } from '../admission/admission.ts';
import type { StoryBudgets } from '../budget/story-budgets.ts';
import type { OperatorConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { OperatorMetrics } from '../metrics.ts';
import { getDecision } from '../records/decisions.ts';
import { recordEvent } from '../records/events.ts';
import { listenForStoryChanges, type StoryNotifications } from '../records/notifications.ts';
import { closeOpenSessions, listSessions } from '../records/sessions.ts';
import { holdsOf } from '../records/work-queue.ts';
import {
  isNotFound,
  isStaleWrite,
  keyOf,
  keysFromController,
  parseKey,
  podResource,
  removeCondition,
  removeFinalizer,
  resourcePath,
  statusEqual,
  writeStatus,
  type Controller,
  type EventRecorder,
  type EventType,
  type Informer,
  type Manager,
  type RestClient,
  type WatchSource,
} from '../kube/index.ts';
import { applyAction } from '../storyrun/actions.ts';
import { storyCaches } from '../storyrun/cache.ts';
import { isLive } from '../storyrun/attempt-end.ts';
import { mergeConditions, storyRunConditions } from '../storyrun/conditions.ts';
import { databaseSecretKeeper } from '../storyrun/database-secret.ts';
import { VALID_CONDITION } from '../storyrun/invalid.ts';
import { reportInvalid } from './storyrun-invalid.ts';
import { setupOrphanSweep } from './storyrun-sweep.ts';
import { podView, volumeView } from '../storyrun/observe.ts';
import { isUrgentChange } from '../storyrun/urgent.ts';
import { planStoryRun, type LifecyclePolicy, type Transition } from '../storyrun/plan.ts';
import { asKubernetesObject, volumeNameFor, type StoryPodSettings } from '../storyrun/resources.ts';

export type Cache<T extends KubernetesObject> = Pick<Informer<T>, 'get' | 'list'>;

export interface StoryRunReconcilerDeps {
  pool: pg.Pool;
  client: RestClient;
  storyRuns: Cache<KubernetesObject>;
  pods: Cache<V1Pod>;
  volumes: Cache<V1PersistentVolumeClaim>;
  admission: AdmissionPolicy;
  policy: LifecyclePolicy;
  settings: StoryPodSettings;
  /** Records a Kubernetes Event about the object; best effort. */
  event(object: KubernetesObject, type: EventType, reason: string, note: string): Promise<void>;
  daemonRunId?: string;
  /** The Budgets a story draws on, its estimate and whether a Budget that paused it has room again. */
  budgets?: StoryBudgets;
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
    slowAfterSeconds: config.health.slowAfterSeconds,
  };
}

export function storyRunReconciler(deps: StoryRunReconcilerDeps) {
  const { policy } = deps;
  const now = deps.now ?? (() => new Date());
  const ensureDatabaseSecret = databaseSecretKeeper(deps.client, deps.settings);

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
    if (!parsed.success) return reportInvalid(raw, parsed.error.issues, { ...deps, now });
    const storyRun = parsed.data;
    const uid = storyRun.metadata.uid!;

    // No finalizer (ADR 0004): pods and volume go with their owner, the orphan
    // sweep closes the records. StoryRuns made by an older operator still carry
    // one: finish its work when they are deleted, drop it otherwise.
    if (storyRun.metadata.finalizers?.includes(STORYRUN_FINALIZER)) {
      if (storyRun.metadata.deletionTimestamp) return finalize(storyRun);
      const updated = await removeFinalizer(deps.client, RESOURCES.storyRun, raw, STORYRUN_FINALIZER);
      if (!updated) return {}; // gone meanwhile
      storyRun.metadata.resourceVersion = updated.metadata?.resourceVersion; // the status goes over this version
    }
    if (storyRun.metadata.deletionTimestamp) return {}; // going: the sweep closes its records

    const sessions = await listSessions(deps.pool, uid);
    const pods = podsOf(
      namespace,
      uid,
      sessions.map((s) => s.podName),
    );
    const latest = sessions.at(-1);
    const decision =
      latest?.result?.outcome === 'WaitingForHuman'
        ? await getDecision(deps.pool, latest.result.detail.decisionId)
        : undefined;
    const started = sessions.length > 0 || pods.length > 0;
    const admission = started
      ? { admitted: true, reason: 'Admitted', message: 'admitted' }
      : await deps.admission(storyRun);
    const budget = deps.budgets ? await deps.budgets.observe(storyRun, sessions) : undefined;
    const holds = isTerminalPhase(storyRun.status?.phase) ? [] : await holdsOf(deps.pool, uid);

    const plan = planStoryRun(
      {
        storyRun,
        pods,
        volume: volumeView(deps.volumes.get(namespace, volumeNameFor(name))),
        sessions,
        decision,
        admission,
        ...(budget ? { budget } : {}),
        holds: holds.map((h) => ({ reason: h.reason, message: h.message })),
        now: now(),
      },
      policy,
    );

    for (const action of plan.actions) {
      const applied = await applyAction(action, {
        client: deps.client,
        pool: deps.pool,
        settings: deps.settings,
        storyRun,
        daemonRunId: deps.daemonRunId,
        onPodCreated: () => deps.metrics?.podsCreated.inc(),
        ensureDatabaseSecret,
        ...(deps.budgets ? { budgetKeys: deps.budgets.keysOf(storyRun) } : {}),
      });
      if (!applied) return { requeueAfterMs: 1_000 }; // the world was not what the cache said: look again
      deps.logger.debug({ storyRun: `${namespace}/${name}`, action }, 'applied');
    }

    const status: StoryRunStatus = {
      ...plan.status,
      conditions: mergeConditions(
        removeCondition(storyRun.status?.conditions ?? [], VALID_CONDITION),
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
        await writeStatus(deps.client, RESOURCES.storyRun, asKubernetesObject(storyRun), status);
      } catch (error) {
        // Written over a newer version than our cache holds: look again once it arrives.
        if (isStaleWrite(error)) return { requeueAfterMs: 200 };
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
        data: {
          phase: status.phase,
          attempt: status.attempt,
          generation: storyRun.metadata.generation,
          ...(t.completes ? { completes: true } : {}),
        },
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
      if (t.event !== false) {
        void deps.event(asKubernetesObject(storyRun), t.warning ? 'Warning' : 'Normal', t.reason, t.message);
      }
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
        .request(HttpMethod.DELETE, path, { body: { gracePeriodSeconds: policy.abortStopSeconds } })
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
    await closeOpenSessions(deps.pool, uid, 'the StoryRun was deleted');
    if (storyRun.metadata.finalizers?.includes(STORYRUN_FINALIZER)) {
      await removeFinalizer(deps.client, RESOURCES.storyRun, asKubernetesObject(storyRun), STORYRUN_FINALIZER);
    }
    return {};
  }
}

export interface StoryRunControllerDeps {
  client: RestClient;
  /** The namespaces the manager watches ([] = all): the orphan sweep leaves other namespaces' records alone. */
  namespaces: readonly string[];
  pool: pg.Pool;
  databaseURL: string;
  events: EventRecorder;
  admission: AdmissionPolicy;
  policy: LifecyclePolicy;
  settings: StoryPodSettings;
  workers: number;
  daemonRunId: string;
  budgets?: StoryBudgets;
  metrics: OperatorMetrics;
  logger: Logger;
}

/**
 * The StoryRun controller on a manager: StoryRuns (primary), the pods and
 * worktree volumes the operator made (secondaries, mapped to their StoryRun
 * by ownerReference), runners' NOTIFYs (leader only), and the phase gauge.
 */
export function setupStoryRunController(manager: Manager, deps: StoryRunControllerDeps): Controller {
  // Only what this controller made, and of it only what it reads (storyrun/cache.ts).
  const { storyRuns, pods, volumes } = storyCaches(manager);
  const reconcile = storyRunReconciler({
    pool: deps.pool,
    client: deps.client,
    storyRuns,
    pods,
    volumes,
    admission: deps.admission,
    policy: deps.policy,
    settings: deps.settings,
    event: (object, type, reason, note) => deps.events.record(object, { type, reason, note }),
    daemonRunId: deps.daemonRunId,
    ...(deps.budgets ? { budgets: deps.budgets } : {}),
    metrics: deps.metrics,
    logger: deps.logger,
  });
  const watches: WatchSource[] = [pods, volumes].map((informer) => ({
    informer,
    keysOf: keysFromController({ group: RESOURCES.storyRun.group, kind: RESOURCES.storyRun.kind }),
  }));
  if (deps.budgets) {
    // A Budget that changed (a new period, a raised limit) may let its queued and paused stories go on.
    watches.push({
      informer: manager.informer(RESOURCES.budget),
      keysOf: (budget) =>
        storyRuns
          .list()
          .filter((sr) => sr.metadata?.namespace === budget.metadata?.namespace && waitsOn(sr, budget.metadata?.name))
          .map((sr) => keyOf({ namespace: sr.metadata!.namespace, name: sr.metadata!.name! })),
    });
  }
  const controller = manager.addController({
    name: 'storyrun',
    for: storyRuns,
    urgent: isUrgentChange,
    watches,
    reconcile: (key) => {
      const { namespace, name } = parseKey(key);
      return reconcile(namespace!, name);
    },
    workers: deps.workers,
  });

  setupOrphanSweep(manager, {
    client: deps.client,
    pool: deps.pool,
    storyRuns,
    pods,
    namespaces: deps.namespaces,
    abortStopSeconds: deps.policy.abortStopSeconds,
    logger: deps.logger,
  });

  let notifications: StoryNotifications | undefined;
  manager.addRunnable({
    name: 'story notifications',
    needLeaderElection: true,
    start: () => {
      notifications = listenForStoryChanges(
        deps.databaseURL,
        (story) => controller.enqueue(keyOf(story)),
        (error) => deps.logger.warn({ err: error }, 'story notifications interrupted; reconnecting'),
      );
    },
    stop: () => notifications?.stop(),
  });

  new Gauge({
    name: 'nightshift_storyruns',
    help: 'StoryRuns by phase, as the cache holds them',
    labelNames: ['phase'],
    registers: [deps.metrics.registry],
    collect() {
      this.reset();
      for (const sr of storyRuns.list()) this.inc({ phase: phaseOf(sr) });
    },
  });
  return controller;
}

/** Queued or paused stories that may draw on the Budget (their own, or through a queue): a change may let them go on. */
function waitsOn(object: KubernetesObject, budget: string | undefined): boolean {
  const phase = phaseOf(object);
  const spec = (object as { spec?: { budgetRef?: unknown; queueRef?: unknown } }).spec;
  const draws = spec?.budgetRef === budget || typeof spec?.queueRef === 'string';
  return draws && (phase === 'Queued' || phase === 'Paused' || phase === 'New');
}

/** The phase an object's status claims, for the gauge (an object without a valid one counts as New). */
function phaseOf(object: KubernetesObject): string {
  const phase = storyRunPhaseSchema.safeParse((object as { status?: { phase?: unknown } }).status?.phase);
  return phase.success ? phase.data : 'New';
}
