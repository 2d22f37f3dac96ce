// The WorkQueue reconciler: one queue at a time (one key per WorkQueue, so
// "may I start?" is never decided inside eight StoryRun reconciles at once).
// It observes the queue's stories (cache) and ledger (work_queue), frees the
// slots of finished stories, decides with admitNext, claims the admissions in
// Postgres under the queue's lock, holds or lifts its running stories when the
// schedule closes or opens (onClose: Pause), pauses the queue after repeated
// failures, and writes status. The StoryRun reconciler only reads the ledger.
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type pg from 'pg';
import { isTerminalPhase, storyRunSchema, workQueueSchema, type StoryRun, type WorkQueue } from '@nightshift/crds';
import { LABELS, RESOURCES } from '@nightshift/crds/contract';
import type { BudgetCheck, BudgetVerdict } from '../admission/budget-check.ts';
import {
  isStaleWrite,
  keyOf,
  keysFromController,
  parseKey,
  statusEqual,
  writeStatus,
  type Controller,
  type EventRecorder,
  type Manager,
  type RestClient,
} from '../kube/index.ts';
import type { Logger } from '../log.ts';
import type { OperatorMetrics } from '../metrics.ts';
import { admissionOrder, admitNext, type AdmissionDecision, type WaitingStory } from '../queue/admit.ts';
import { scheduleState, startOfDay } from '../queue/schedule.ts';
import { queueConditions, type QueueObservation } from '../queue/status.ts';
import {
  claimAdmissions,
  enqueueStories,
  liftHolds,
  placeHolds,
  queueTotals,
  readLedger,
  releaseStories,
  setPositions,
  withQueueLock,
} from '../records/work-queue.ts';
import { mergeConditions } from '../storyrun/conditions.ts';
import type { Cache } from './storyrun.ts';
import { autoPause } from './workqueue-auto-pause.ts';
import { storyCaches } from '../storyrun/cache.ts';

/** Stories whose changed place is pushed to their status at once; the rest get it at their next resync. */
const LIVE_POSITIONS = 25;
/** Budget checks per decision beyond the free slots (stories the budget may refuse). */
const EXTRA_BUDGET_CHECKS = 10;
const HOLD = 'ScheduleClosed';

export interface WorkQueueReconcilerDeps {
  pool: pg.Pool;
  client: RestClient;
  workQueues: Cache<KubernetesObject>;
  storyRuns: Cache<KubernetesObject>;
  /** The story pods (the operator's own, by label): a finished story holds its slot until its pod is gone. */
  pods: Cache<V1Pod>;
  budget: BudgetCheck;
  /** Reconciles a StoryRun soon (it was admitted, held, or its place changed). */
  enqueueStoryRun(key: string): void;
  event(object: KubernetesObject, type: 'Normal' | 'Warning', reason: string, note: string): Promise<void>;
  daemonRunId?: string | undefined;
  metrics?: OperatorMetrics | undefined;
  logger: Logger;
  now?: () => Date;
}

export function workQueueReconciler(deps: WorkQueueReconcilerDeps) {
  const now = deps.now ?? (() => new Date());
  // The cache replaces an object on every change, so a parse is good for as long as the object lives.
  const parsedStories = new WeakMap<object, StoryRun | null>();

  return async function reconcileWorkQueue(namespace: string, name: string): Promise<{ requeueAfterMs?: number }> {
    const raw = deps.workQueues.get(namespace, name);
    if (!raw) {
      // Gone: its stories wait (QueueNotFound) rather than stay held for a schedule no one keeps.
      const lifted = await liftHolds(deps.pool, namespace, name, HOLD);
      for (const story of deps.storyRuns.list()) {
        if (story.metadata?.namespace === namespace && lifted.includes(story.metadata.uid ?? '')) {
          deps.enqueueStoryRun(keyOf({ namespace, name: story.metadata.name! }));
        }
      }
      return {};
    }
    const parsed = workQueueSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const note = `WorkQueue ${namespace}/${name} cannot be read: ${issue?.path.join('.')}: ${issue?.message}`;
      void deps.event(raw, 'Warning', 'InvalidSpec', note);
      deps.logger.warn({ workQueue: `${namespace}/${name}` }, note);
      return {};
    }
    const queue = parsed.data;
    const at = now();
    // CPU of the decision itself (snapshot from the caches and admitNext), without the I/O around it.
    let cpuMicros = 0;
    const measure = <T>(fn: () => T): T => {
      const start = process.cpuUsage();
      try {
        return fn();
      } finally {
        const used = process.cpuUsage(start);
        cpuMicros += used.user + used.system;
      }
    };
    const { stories, names, livePods } = measure(() => {
      const stories = storiesOf(namespace, name);
      return {
        stories,
        names: new Map(stories.map((s) => [s.metadata.uid!, s.metadata.name])),
        livePods: livePodsOf(namespace),
      };
    });
    const wake = (uid: string) => {
      const story = names.get(uid);
      if (story) deps.enqueueStoryRun(keyOf({ namespace, name: story }));
    };
    const schedule = scheduleState(queue.spec.schedule, at);
    // Before deciding: the failure that pauses the queue must not let one more story in.
    const paused = await autoPause(deps, queue, raw, stories, at);
    const autoPaused = paused.message;

    const { decision, admitted, moved, holding } = await withQueueLock(deps.pool, namespace, name, async (tx) => {
      const rows = await readLedger(tx, namespace, name);
      const byUid = measure(() => new Map(stories.map((s) => [s.metadata.uid!, s])));
      const released = measure(() =>
        rows.flatMap((r) => {
          if (r.state !== 'Admitted') return [];
          const story = byUid.get(r.story_uid);
          if (!story) return [{ uid: r.story_uid, reason: 'Deleted' }];
          if (story.metadata.deletionTimestamp) return [{ uid: r.story_uid, reason: 'Deleted' }];
          if (isTerminalPhase(story.status?.phase) && !livePods.has(r.story_uid)) {
            return [{ uid: r.story_uid, reason: story.status!.phase! }];
          }
          return [];
        }),
      );
      await releaseStories(tx, released);
      const { holding, known, waitingRuns, waiting, snapshot } = measure(() => {
        const gone = new Set(released.map((r) => r.uid));
        const holding = rows.filter((r) => r.state === 'Admitted' && !gone.has(r.story_uid));
        const admittedUids = new Set(holding.map((r) => r.story_uid));
        const known = new Set(rows.map((r) => r.story_uid));
        const waitingRuns = stories.filter(
          (s) => !admittedUids.has(s.metadata.uid!) && !s.metadata.deletionTimestamp && isWaiting(s),
        );
        const waiting = waitingRuns.map(waitingStory);
        const snapshot = {
          queue: {
            maxParallel: queue.spec.maxParallel,
            paused: queue.spec.paused || autoPaused !== undefined,
            maxParallelPerRepository: queue.spec.maxParallelPerRepository,
          },
          schedule,
          holding: holding.map((r) => ({ uid: r.story_uid, repository: r.repository })),
          waiting,
        };
        return { holding, known, waitingRuns, waiting, snapshot };
      });
      const budgets = await budgetVerdicts(queue, snapshot, waitingRuns);
      const decision = measure(() => admitNext({ ...snapshot, budgets }));
      await enqueueStories(tx, namespace, name, waiting.filter((s) => !known.has(s.uid)).map(ledgerStory));
      const admitted = await claimAdmissions(tx, namespace, name, decision.admit.map(ledgerStory), deps.daemonRunId);
      const moved = await setPositions(tx, decision.positions);
      return { decision, admitted, moved, holding: [...holding.map((r) => r.story_uid), ...admitted] };
    });
    deps.metrics?.queueDecisionCpuSeconds.inc(cpuMicros / 1e6);
    deps.metrics?.queueAdmissions.inc(admitted.length);

    // The admitted first: their pods are what the queue waits for; new places are only shown.
    for (const uid of admitted) wake(uid);
    for (const [uid, position] of moved) if (position <= LIVE_POSITIONS) wake(uid);
    if (admitted.length > 0) {
      const which = decision.admit.filter((s) => admitted.includes(s.uid)).map((s) => s.name);
      void deps.event(raw, 'Normal', 'Admitted', `admitted ${which.join(', ')}`);
      deps.logger.info({ workQueue: `${namespace}/${name}`, admitted: which }, 'admitted');
    }

    // A closed schedule with onClose: Pause holds the running stories; an open one lifts its holds.
    const hold = !schedule.open && queue.spec.schedule?.onClose === 'Pause';
    if (hold) {
      const message = `the schedule of WorkQueue ${name} is closed: ${schedule.message}`;
      const held = await placeHolds(deps.pool, { namespace, queue: name, reason: HOLD, message }, holding);
      for (const uid of held) wake(uid);
    } else {
      for (const uid of await liftHolds(deps.pool, namespace, name, HOLD)) wake(uid);
    }

    const totals = await queueTotals(deps.pool, namespace, name, startOfDay(at, queue.spec.schedule?.timezone));
    const observation: QueueObservation = {
      queue,
      decision,
      schedule,
      running: holding.length,
      queued: decision.positions.size,
      autoPaused,
      ...totals,
    };
    await writeQueueStatus(queue, paused.object ?? raw, observation, at);
    return requeue(schedule.nextChange, at, queue.spec.schedule?.timezone);
  };

  /** Uids of the stories with a pod still running or stopping: a pod counts until it is gone. */
  function livePodsOf(namespace: string): Set<string> {
    const uids = new Set<string>();
    for (const pod of deps.pods.list()) {
      if (pod.metadata?.namespace !== namespace) continue;
      const uid = pod.metadata.labels?.[LABELS.storyRunUid];
      if (uid && !['Succeeded', 'Failed'].includes(pod.status?.phase ?? '')) uids.add(uid);
    }
    return uids;
  }

  function storiesOf(namespace: string, queue: string): StoryRun[] {
    return deps.storyRuns.list().flatMap((raw) => {
      if (raw.metadata?.namespace !== namespace) return [];
      if ((raw as { spec?: { queueRef?: unknown } }).spec?.queueRef !== queue) return [];
      let parsed = parsedStories.get(raw);
      if (parsed === undefined) {
        const result = storyRunSchema.safeParse(raw);
        parsed = result.success ? result.data : null;
        parsedStories.set(raw, parsed);
      }
      return parsed ? [parsed] : [];
    });
  }

  /** The budget's verdicts on the stories next in line: as many as there are free slots, plus a few it may refuse. */
  async function budgetVerdicts(
    queue: WorkQueue,
    snapshot: Parameters<typeof admissionOrder>[0],
    waiting: StoryRun[],
  ): Promise<Map<string, BudgetVerdict>> {
    const free = Math.max(0, snapshot.queue.maxParallel - snapshot.holding.length);
    const verdicts = new Map<string, BudgetVerdict>();
    if (free === 0 || snapshot.queue.paused) return verdicts;
    const byUid = new Map(waiting.map((s) => [s.metadata.uid!, s]));
    let open = 0;
    for (const story of admissionOrder(snapshot).slice(0, free + EXTRA_BUDGET_CHECKS)) {
      if (open >= free) break;
      const verdict = await deps.budget(
        { namespace: queue.metadata.namespace!, budgetRef: queue.spec.budgetRef },
        byUid.get(story.uid)!,
      );
      verdicts.set(story.uid, verdict);
      if (verdict.open) open++;
    }
    return verdicts;
  }

  async function writeQueueStatus(queue: WorkQueue, raw: KubernetesObject, o: QueueObservation, at: Date) {
    const previous = queue.status ?? {};
    const { decision, schedule } = o;
    const status = {
      running: o.running,
      queued: o.queued,
      admittedToday: o.admittedToday,
      ...(decision.next ? { next: decision.next } : {}),
      state: decision.state,
      costTodayUSD: o.costTodayUSD,
      scheduleOpen: schedule.open,
      ...(schedule.nextChange ? { nextScheduleChange: kubeSeconds(schedule.nextChange) } : {}),
      conditions: mergeConditions(previous.conditions, queueConditions(o), queue.metadata.generation, at),
      observedGeneration: queue.metadata.generation,
    };
    if (previous.state !== decision.state) void deps.event(raw, 'Normal', decision.state, decision.message);
    if (statusEqual(previous, status)) return;
    try {
      await writeStatus(deps.client, RESOURCES.workQueue, raw, status);
    } catch (error) {
      if (!isStaleWrite(error)) throw error; // a newer version is on its way: it will be reconciled
    }
  }
}

function isWaiting(story: StoryRun): boolean {
  const phase = story.status?.phase;
  return phase === undefined || phase === 'Queued';
}

function waitingStory(story: StoryRun): WaitingStory {
  return {
    name: story.metadata.name,
    uid: story.metadata.uid!,
    priority: story.spec.priority,
    position: story.spec.position,
    skip: story.spec.skip,
    createdAt: new Date(story.metadata.creationTimestamp ?? 0),
    repository: story.spec.repository.url,
  };
}

const ledgerStory = (s: WaitingStory) => ({ uid: s.uid, name: s.name, priority: s.priority, repository: s.repository });
const kubeSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Look again when the schedule next changes, and at the zone's midnight (admittedToday starts over). */
function requeue(nextChange: Date | undefined, at: Date, timezone: string | undefined): { requeueAfterMs?: number } {
  const midnight = startOfDay(new Date(at.getTime() + 86_400_000), timezone).getTime();
  const next = Math.min(nextChange?.getTime() ?? Infinity, midnight);
  return { requeueAfterMs: Math.max(250, next - at.getTime() + 250) };
}

export type { AdmissionDecision };

export interface WorkQueueControllerDeps {
  client: RestClient;
  pool: pg.Pool;
  events: EventRecorder;
  budget: BudgetCheck;
  storyRunController: Controller;
  daemonRunId: string;
  metrics?: OperatorMetrics;
  logger: Logger;
}

/**
 * The WorkQueue controller on a manager: WorkQueues (primary) and the
 * StoryRuns that name them (a story joining, finishing or being reprioritized
 * reconciles its queue). One worker: queues are few, and each decision is one
 * transaction.
 */
export function setupWorkQueueController(manager: Manager, deps: WorkQueueControllerDeps): Controller {
  const workQueues = manager.informer(RESOURCES.workQueue);
  // The same caches the StoryRun controller uses: one watch, one trimmed copy.
  const { storyRuns, pods } = storyCaches(manager);
  const reconcile = workQueueReconciler({
    pool: deps.pool,
    client: deps.client,
    workQueues,
    storyRuns,
    pods,
    budget: deps.budget,
    enqueueStoryRun: (key) => deps.storyRunController.enqueue(key),
    event: (object, type, reason, note) => deps.events.record(object, { type, reason, note }),
    daemonRunId: deps.daemonRunId,
    metrics: deps.metrics,
    logger: deps.logger,
  });
  return manager.addController({
    name: 'workqueue',
    for: workQueues,
    watches: [
      { informer: storyRuns, keysOf: queueOfStory, predicate: changesItsQueue },
      // A finished story's pod going away frees its slot.
      {
        informer: pods,
        keysOf: (pod: KubernetesObject) => {
          const owner = keysFromController({ group: RESOURCES.storyRun.group, kind: RESOURCES.storyRun.kind })(pod)[0];
          const story = owner ? storyRuns.get(pod.metadata!.namespace!, parseKey(owner).name) : undefined;
          return story ? queueOfStory(story) : [];
        },
      },
    ],
    reconcile: (key) => {
      const { namespace, name } = parseKey(key);
      return reconcile(namespace!, name);
    },
    workers: 2,
  });
}

/** A StoryRun's queue key, from its spec.queueRef (read raw: the mapping must not throw). */
function queueOfStory(object: KubernetesObject): string[] {
  const queueRef = (object as { spec?: { queueRef?: unknown } }).spec?.queueRef;
  return typeof queueRef === 'string' && object.metadata?.namespace
    ? [keyOf({ namespace: object.metadata.namespace, name: queueRef })]
    : [];
}

/**
 * Whether a StoryRun event can change its queue's decision: a story joining
 * or leaving, its phase, order fields, or deletion. Its status message or
 * queue position (which the queue itself decided) cannot.
 */
function changesItsQueue(event: { type: string; object: KubernetesObject; old?: KubernetesObject }): boolean {
  if (event.type !== 'MODIFIED' || !event.old) return true;
  const view = (o: KubernetesObject) => {
    const { spec, status, metadata } = o as {
      spec?: Record<string, unknown>;
      status?: Record<string, unknown>;
      metadata?: KubernetesObject['metadata'];
    };
    return JSON.stringify([
      spec?.queueRef,
      spec?.priority,
      spec?.position,
      spec?.skip,
      spec?.repository,
      status?.phase,
      metadata?.deletionTimestamp,
    ]);
  };
  return view(event.object) !== view(event.old);
}
