// Which of a WorkQueue's waiting stories start now. The order is the one
// people asked for: priority (higher first), then spec.position (lower first;
// stories without one after those with one), then creation time. Skipped
// stories stay where they are and are passed over; a story whose repository
// is at maxParallelPerRepository waits while later stories of other
// repositories go ahead. Nothing is admitted while the queue is paused, the
// schedule is closed, or the budget says no; otherwise stories are admitted
// while fewer than maxParallel hold a slot. Pure: the WorkQueue controller
// builds the snapshot, claims what this returns in Postgres and writes status.
import type { WORKQUEUE_STATES } from '@nightshift/crds';
import type { BudgetVerdict } from '../admission/budget-check.ts';
import type { ScheduleState } from './schedule.ts';

export type WorkQueueState = (typeof WORKQUEUE_STATES)[number];

export interface WaitingStory {
  name: string;
  uid: string;
  priority: number;
  position?: number | undefined;
  skip: boolean;
  createdAt: Date;
  repository: string;
}

/** A story that holds one of the queue's slots: admitted and not yet finished. */
export interface SlotHolder {
  uid: string;
  repository: string;
}

export interface AdmissionSnapshot {
  queue: { maxParallel: number; paused: boolean; maxParallelPerRepository?: number | undefined };
  schedule: ScheduleState;
  /** The budget's verdicts on the stories next in line, by uid; a story without one is not refused. */
  budgets?: ReadonlyMap<string, BudgetVerdict>;
  holding: SlotHolder[];
  waiting: WaitingStory[];
}

export interface AdmissionDecision {
  admit: WaitingStory[];
  /** Why the queue admits, or why it admits nothing (the State column and the Admitting condition's reason). */
  state: WorkQueueState;
  message: string;
  /** The story admitted next once a slot frees. */
  next?: string | undefined;
  /** 1-based place of every story still waiting in the order (skipped stories have none). */
  positions: Map<string, number>;
}

/** Higher priority first, then position (unset last), then age, then name. */
export function compareStories(a: WaitingStory, b: WaitingStory): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const pa = a.position ?? Infinity;
  const pb = b.position ?? Infinity;
  if (pa !== pb) return pa < pb ? -1 : 1;
  const age = a.createdAt.getTime() - b.createdAt.getTime();
  if (age !== 0) return age;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The waiting stories that may be admitted, in order: not skipped, and their repository below its limit. */
export function admissionOrder(snapshot: Pick<AdmissionSnapshot, 'queue' | 'holding' | 'waiting'>): WaitingStory[] {
  const perRepository = new Map<string, number>();
  for (const h of snapshot.holding) perRepository.set(h.repository, (perRepository.get(h.repository) ?? 0) + 1);
  const limit = snapshot.queue.maxParallelPerRepository ?? Infinity;
  const order: WaitingStory[] = [];
  for (const story of [...snapshot.waiting].sort(compareStories)) {
    if (story.skip) continue;
    const count = perRepository.get(story.repository) ?? 0;
    if (count >= limit) continue;
    perRepository.set(story.repository, count + 1);
    order.push(story);
  }
  return order;
}

export function admitNext(snapshot: AdmissionSnapshot): AdmissionDecision {
  const { queue, schedule, holding, waiting } = snapshot;
  const order = admissionOrder(snapshot);
  const free = Math.max(0, queue.maxParallel - holding.length);
  const decide = (state: WorkQueueState, message: string, admit: WaitingStory[] = []): AdmissionDecision => {
    const admitted = new Set(admit.map((s) => s.uid));
    const positions = new Map<string, number>();
    for (const story of [...waiting].sort(compareStories)) {
      if (!story.skip && !admitted.has(story.uid)) positions.set(story.uid, positions.size + 1);
    }
    const next = order.find((s) => !admitted.has(s.uid) && isOpenFor(snapshot, s))?.name;
    return { admit, state, message, next, positions };
  };

  if (queue.paused) return decide('QueuePaused', 'spec.paused is true: nothing new is admitted');
  if (!schedule.open) {
    return decide(schedule.reason === 'DoNotDisturb' ? 'DoNotDisturb' : 'ScheduleClosed', schedule.message);
  }
  if (waiting.length === 0) return decide('Idle', 'no story is waiting');
  if (order.length === 0) {
    const skipped = waiting.filter((s) => s.skip).length;
    return skipped === waiting.length
      ? decide('Idle', `every waiting story is skipped (${skipped})`)
      : decide(
          'MaxParallelReached',
          `the waiting stories' repositories are at maxParallelPerRepository (${queue.maxParallelPerRepository})`,
        );
  }
  if (free === 0) {
    return decide('MaxParallelReached', `${holding.length} of maxParallel ${queue.maxParallel} running`);
  }
  const admit: WaitingStory[] = [];
  const refused: string[] = [];
  for (const story of order) {
    if (admit.length >= free) break;
    const verdict = snapshot.budgets?.get(story.uid);
    if (verdict && !verdict.open) refused.push(`${story.name}: ${verdict.message ?? verdict.reason ?? 'over budget'}`);
    else admit.push(story);
  }
  if (admit.length === 0) return decide('BudgetExceeded', refused.join('; '));
  return decide(
    'Admitting',
    `admitting ${admit.map((s) => s.name).join(', ')} (${holding.length + admit.length} of maxParallel ${queue.maxParallel})`,
    admit,
  );
}

function isOpenFor(snapshot: AdmissionSnapshot, story: WaitingStory): boolean {
  const verdict = snapshot.budgets?.get(story.uid);
  return !verdict || verdict.open;
}
