// How an attempt (one story pod) ended, as execution_sessions records it in
// outcome + outcome_detail. The runner records every outcome but Crashed; the
// operator records Crashed (the pod died without an outcome) and Paused when it
// stopped the pod itself. Details are loose objects: a newer writer may add
// fields an older reader ignores.
import { z } from 'zod';

/** A CamelCase word a script (and a Condition reason) can match. */
export const reasonSchema = z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'expected a CamelCase reason');

export const ATTEMPT_OUTCOMES = ['Succeeded', 'WaitingForHuman', 'Paused', 'Failed', 'Salvaged', 'Crashed'] as const;
export type AttemptOutcomeKind = (typeof ATTEMPT_OUTCOMES)[number];

/** Why a runner paused: the operator asked it to stop (SIGTERM), or a model call did not fit the cost cap. */
export const PAUSE_REASONS = ['Stopped', 'BudgetExceeded'] as const;

/**
 * Failed reasons the runner uses (the story cannot succeed; no retry). Others
 * may come from a newer runner: readers accept any CamelCase reason.
 */
export const RUNNER_FAILURE_REASONS = [
  'VerificationFailed',
  'AbortedAtGate',
  'NoChanges',
  'BaseBranchNotFound',
  'NoPullRequestTarget',
  'PullRequestRejected',
  'InvalidAgent',
  'InvalidStoryDirectives',
  'MissingCredentials',
] as const;

export const pullRequestRefSchema = z.object({ url: z.string().min(1), number: z.int().min(1) });

export const succeededSchema = z.object({
  outcome: z.literal('Succeeded'),
  detail: z.looseObject({ pullRequest: pullRequestRefSchema, confidence: z.number().min(0).max(1) }),
});
export const waitingForHumanSchema = z.object({
  outcome: z.literal('WaitingForHuman'),
  detail: z.looseObject({ decisionId: z.string().min(1) }),
});
export const pausedSchema = z.object({
  outcome: z.literal('Paused'),
  detail: z.looseObject({
    reason: z.enum(PAUSE_REASONS),
    message: z.string(),
    /** Set by the operator when it stopped the pod: how the pod ended (Error, PodMissing, ...). */
    cause: z.string().optional(),
    exitCode: z.int().nullable().optional(),
    /** BudgetExceeded: the window that refused the call ('story' cap, or a Budget's 'daily' / 'weekly' window). */
    scope: z.enum(['story', 'daily', 'weekly', 'unpriced']).optional(),
    /** BudgetExceeded by a Budget window: its key '<namespace>/<name>'. */
    budget: z.string().optional(),
    /** BudgetExceeded: the worst case that did not fit; the story resumes once this much is free. */
    neededUSD: z.number().min(0).optional(),
  }),
});
export const failedSchema = z.object({
  outcome: z.literal('Failed'),
  detail: z.looseObject({ reason: reasonSchema, message: z.string() }),
});
export const salvagedSchema = z.object({
  outcome: z.literal('Salvaged'),
  detail: z.looseObject({ branch: z.string().min(1), pushed: z.boolean() }),
});
export const crashedSchema = z.object({
  outcome: z.literal('Crashed'),
  detail: z.looseObject({
    /** The container's reason (Error, OOMKilled, ...), PodMissing, NoOutcome, a stuck reason, or Deleted. */
    reason: z.string().min(1),
    exitCode: z.int().nullable().optional(),
    message: z.string(),
  }),
});

export const attemptOutcomeSchema = z.discriminatedUnion('outcome', [
  succeededSchema,
  waitingForHumanSchema,
  pausedSchema,
  failedSchema,
  salvagedSchema,
  crashedSchema,
]);
export type AttemptOutcome = z.infer<typeof attemptOutcomeSchema>;
export type OutcomeOf<K extends AttemptOutcomeKind> = Extract<AttemptOutcome, { outcome: K }>;

/** The outcomes a runner records (the operator records Crashed). */
export const runnerOutcomeSchema = z.discriminatedUnion('outcome', [
  succeededSchema,
  waitingForHumanSchema,
  pausedSchema,
  failedSchema,
  salvagedSchema,
]);
export type RunnerOutcome = z.infer<typeof runnerOutcomeSchema>;

/** The outcomes the operator records for an attempt whose runner recorded none. */
export type OperatorRecordedOutcome = OutcomeOf<'Crashed'> | OutcomeOf<'Paused'>;
