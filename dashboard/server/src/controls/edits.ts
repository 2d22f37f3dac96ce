// What each control changes, as pure functions of the object read fresh at
// the resourceVersion the person saw: the merge patch to send, and the fields
// before and after for the audit. A control that cannot apply to the object
// as it is (pausing a finished story) is an ApiError here, before any write.
import { isTerminalPhase, type Budget, type StoryRun, type WorkQueue } from '@nightshift/crds';
import { CONFIRM_INCREASE_ANNOTATION, confirmIncreaseValue } from '@nightshift/crds/contract';
import { z } from 'zod';
import { ApiError } from '../api/problem.ts';
import type {
  abortBody,
  budgetEditBody,
  budgetExtensionBody,
  DecisionAnswerItem,
  overrideBody,
  pauseBody,
  queueEditBody,
  reprioritizeBody,
  scheduleBody,
} from '../api/schemas.ts';

export interface Edit {
  /** The JSON merge patch (spec and, for budgets, the confirmation annotation). */
  patch: { spec?: Record<string, unknown>; metadata?: { annotations: Record<string, string | null> } };
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** Nothing to change: the object is already as asked. */
export const UNCHANGED = Symbol('unchanged');
export type EditResult = Edit | typeof UNCHANGED;

const pick = <T extends object, K extends keyof T>(object: T, keys: K[]) =>
  Object.fromEntries(keys.map((k) => [k, object[k] ?? null])) as Record<string, unknown>;

function edit(before: Record<string, unknown>, changes: Record<string, unknown>): EditResult {
  const after = { ...before, ...changes };
  if (JSON.stringify(after) === JSON.stringify(before)) return UNCHANGED;
  return { patch: { spec: changes }, before, after };
}

function notFinished(sr: StoryRun, what: string): void {
  if (isTerminalPhase(sr.status?.phase)) {
    throw ApiError.conflict(
      `cannot ${what} StoryRun ${sr.metadata.namespace}/${sr.metadata.name}: it is ${sr.status!.phase}`,
    );
  }
  if (sr.spec.abort.requested && what !== 'abort') {
    throw ApiError.conflict(
      `cannot ${what} StoryRun ${sr.metadata.namespace}/${sr.metadata.name}: it is being aborted`,
    );
  }
}

// ---- stories ---------------------------------------------------------------

export function pauseStory(sr: StoryRun, body: Pick<z.infer<typeof pauseBody>, 'mode'>): EditResult {
  notFinished(sr, 'pause');
  return edit(pick(sr.spec, ['paused', 'pauseMode']), { paused: true, pauseMode: body.mode });
}

export function resumeStory(sr: StoryRun): EditResult {
  notFinished(sr, 'resume');
  return edit(pick(sr.spec, ['paused']), { paused: false });
}

export function abortStory(sr: StoryRun, body: Pick<z.infer<typeof abortBody>, 'keepWork'>): EditResult {
  notFinished(sr, 'abort');
  const before = { abort: sr.spec.abort };
  return edit(before, { abort: { requested: true, keepWork: body.keepWork } });
}

/**
 * Priority, position, move to front and skip. Move to front puts the story
 * before every other of its queue at its priority: a position below the
 * lowest there (0 when none has one, as positioned stories go first).
 */
export function reprioritizeStory(
  sr: StoryRun,
  body: Omit<z.infer<typeof reprioritizeBody>, 'resourceVersion'>,
  queueMates: readonly StoryRun[],
): EditResult {
  notFinished(sr, 'reprioritize');
  const changes: Record<string, unknown> = {};
  if (body.priority !== undefined) changes.priority = body.priority;
  if (body.skip !== undefined) changes.skip = body.skip;
  if (body.position !== undefined) changes.position = body.position;
  if (body.moveToFront) {
    const priority = body.priority ?? sr.spec.priority;
    const positions = queueMates
      .filter(
        (o) => o.metadata.uid !== sr.metadata.uid && o.spec.priority === priority && !isTerminalPhase(o.status?.phase),
      )
      .flatMap((o) => (o.spec.position === undefined ? [] : [o.spec.position]));
    const own = sr.spec.position;
    const alreadyFirst = own !== undefined && (positions.length === 0 || own < Math.min(...positions));
    if (!alreadyFirst) changes.position = positions.length === 0 ? 0 : Math.max(Math.min(...positions) - 1, -1_000_000);
  }
  return edit(pick(sr.spec, ['priority', 'position', 'skip']), changes);
}

/**
 * The answers for one story. Each decision is answered once: the same answer
 * again changes nothing, a different one for an answered decision is a
 * conflict, and only a decision the story asks (or asked) can be answered.
 */
export function answerDecisions(
  sr: StoryRun,
  answers: readonly Pick<DecisionAnswerItem, 'id' | 'choice' | 'comment'>[],
  askedIds: ReadonlySet<string>,
): EditResult {
  notFinished(sr, 'answer a decision of');
  const existing = sr.spec.decisions;
  const added: { id: string; choice: string; comment?: string }[] = [];
  for (const answer of answers) {
    if (!askedIds.has(answer.id) && sr.status?.pendingDecision?.id !== answer.id) {
      throw ApiError.notFound(`decision ${answer.id} of StoryRun ${sr.metadata.namespace}/${sr.metadata.name}`);
    }
    const given = existing.find((d) => d.id === answer.id) ?? added.find((d) => d.id === answer.id);
    if (given) {
      if (given.choice === answer.choice && (given.comment ?? undefined) === (answer.comment ?? undefined)) continue;
      throw ApiError.conflict(`decision ${answer.id} was answered already: ${given.choice}`);
    }
    added.push({
      id: answer.id,
      choice: answer.choice,
      ...(answer.comment !== undefined ? { comment: answer.comment } : {}),
    });
  }
  if (added.length === 0) return UNCHANGED;
  return {
    patch: { spec: { decisions: [...existing, ...added] } },
    before: { decisions: existing },
    after: { decisions: [...existing, ...added] },
  };
}

// ---- queues ----------------------------------------------------------------

export function pauseQueue(queue: WorkQueue, paused: boolean): EditResult {
  return edit(pick(queue.spec, ['paused']), { paused });
}

export function editQueue(queue: WorkQueue, body: Omit<z.infer<typeof queueEditBody>, 'resourceVersion'>): EditResult {
  const changes: Record<string, unknown> = {};
  if (body.maxParallel !== undefined) changes.maxParallel = body.maxParallel;
  if (body.maxParallelPerRepository !== undefined) changes.maxParallelPerRepository = body.maxParallelPerRepository;
  return edit(pick(queue.spec, ['maxParallel', 'maxParallelPerRepository']), changes);
}

export function setSchedule(queue: WorkQueue, body: Pick<z.infer<typeof scheduleBody>, 'schedule'>): EditResult {
  return edit(pick(queue.spec, ['schedule']), { schedule: body.schedule });
}

export function setOverride(queue: WorkQueue, body: Pick<z.infer<typeof overrideBody>, 'override'>): EditResult {
  const before = { override: queue.spec.schedule?.override ?? 'None' };
  if (before.override === body.override) return UNCHANGED;
  return { patch: { spec: { schedule: { override: body.override } } }, before, after: { override: body.override } };
}

// ---- budgets ---------------------------------------------------------------

/** Raising a limit, or removing one (no limit is the highest). */
const raises = (before: number | undefined, after: number | null | undefined) =>
  after !== undefined && before !== undefined && (after === null || after > before);

/** The annotation that confirms a raise made in the same patch: the patch moves the generation by one. */
const confirmed = (budget: Budget, spec: Budget['spec']) => ({
  annotations: { [CONFIRM_INCREASE_ANNOTATION]: confirmIncreaseValue(spec, (budget.metadata.generation ?? 0) + 1) },
});

export function editBudget(budget: Budget, body: Omit<z.infer<typeof budgetEditBody>, 'resourceVersion'>): EditResult {
  const changes: Record<string, unknown> = {};
  if (body.dailyLimitUSD !== undefined) changes.dailyLimitUSD = body.dailyLimitUSD;
  if (body.weeklyLimitUSD !== undefined) changes.weeklyLimitUSD = body.weeklyLimitUSD;
  if (body.alertThreshold !== undefined) changes.alertThreshold = body.alertThreshold;
  const increase =
    raises(budget.spec.dailyLimitUSD, body.dailyLimitUSD) || raises(budget.spec.weeklyLimitUSD, body.weeklyLimitUSD);
  if (increase && !body.confirm) {
    throw ApiError.invalid([
      { field: 'body.confirm', message: 'raising or removing a limit is an increase: confirm it (confirm: true)' },
    ]);
  }
  const next = {
    ...budget.spec,
    dailyLimitUSD: body.dailyLimitUSD === undefined ? budget.spec.dailyLimitUSD : (body.dailyLimitUSD ?? undefined),
    weeklyLimitUSD: body.weeklyLimitUSD === undefined ? budget.spec.weeklyLimitUSD : (body.weeklyLimitUSD ?? undefined),
  };
  const result = edit(pick(budget.spec, ['dailyLimitUSD', 'weeklyLimitUSD', 'alertThreshold']), changes);
  if (result === UNCHANGED || !increase) return result;
  return { ...result, patch: { ...result.patch, metadata: confirmed(budget, next) } };
}

export function extendBudget(
  budget: Budget,
  body: Omit<z.infer<typeof budgetExtensionBody>, 'resourceVersion' | 'confirm'>,
  now: Date,
): EditResult {
  const extension = {
    amountUSD: body.amountUSD,
    period: body.period,
    reason: body.reason,
    grantedAt: now.toISOString(),
  };
  const extensions = [...budget.spec.extensions, extension];
  return {
    patch: { spec: { extensions }, metadata: confirmed(budget, { ...budget.spec, extensions }) },
    before: { extensions: budget.spec.extensions },
    after: { extensions },
  };
}

/** Confirms the increase the spec holds now (one raised with kubectl, waiting in status.pendingIncrease). */
export function confirmBudget(budget: Budget): EditResult {
  const value = confirmIncreaseValue(budget.spec, budget.metadata.generation ?? 0);
  const before = { [CONFIRM_INCREASE_ANNOTATION]: budget.metadata.annotations?.[CONFIRM_INCREASE_ANNOTATION] ?? null };
  if (before[CONFIRM_INCREASE_ANNOTATION] === value) return UNCHANGED;
  return {
    patch: { metadata: { annotations: { [CONFIRM_INCREASE_ANNOTATION]: value } } },
    before,
    after: { [CONFIRM_INCREASE_ANNOTATION]: value },
  };
}
