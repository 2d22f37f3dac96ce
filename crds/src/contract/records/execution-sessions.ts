// execution_sessions: one row per pod attempt of a StoryRun, keyed by
// (story_uid, attempt). The operator inserts it (with the StoryRun snapshot)
// before it makes the pod; the runner owns runner_started_at, step,
// heartbeat_at, cost_usd, error and the outcome.
import { z } from 'zod';
import { attemptOutcomeSchema, ATTEMPT_OUTCOMES, type AttemptOutcome } from '../outcomes.ts';
import { runnerModeSchema, type RunnerMode } from '../runner.ts';
import { defineTable, numericColumn, timestampColumn, uuidColumn } from './table.ts';

export const executionSessionRowSchema = z.object({
  id: uuidColumn,
  story_uid: uuidColumn,
  namespace: z.string(),
  name: z.string(),
  story_id: z.string(),
  attempt: z.int().min(1),
  mode: runnerModeSchema,
  pod_name: z.string(),
  pod_uid: z.string().nullable(),
  max_cost_usd: numericColumn.nullable(),
  daemon_run_id: uuidColumn.nullable(),
  created_at: timestampColumn,
  runner_started_at: timestampColumn.nullable(),
  heartbeat_at: timestampColumn.nullable(),
  step: z.string().nullable(),
  /** When step last changed (a trigger sets it): how long the current step has run. */
  step_started_at: timestampColumn.nullable().default(null),
  cost_usd: numericColumn,
  ended_at: timestampColumn.nullable(),
  outcome: z.enum(ATTEMPT_OUTCOMES).nullable(),
  outcome_detail: z.unknown(),
  /** The error a crashed runner recorded before it exited (the attempt stays open: the operator ends it). */
  error: z.string().nullable(),
  /** The Budgets ('<namespace>/<name>') the attempt draws on besides its own cap: its queue's and its own budgetRef. */
  budget_keys: z.array(z.string()).default([]),
});
export type ExecutionSessionRow = z.infer<typeof executionSessionRowSchema>;

/** One attempt as the operator, the dashboard and the notifier read it. */
export interface ExecutionSession {
  id: string;
  storyUid: string;
  attempt: number;
  mode: RunnerMode;
  podName: string;
  podUid: string | null;
  step: string | null;
  /** When the current step began (null before the first step, or from rows older than the column). */
  stepStartedAt: Date | null;
  costUSD: number;
  /** The cost cap the attempt started with (spec.maxCostUSD then). */
  maxCostUSD: number | null;
  createdAt: Date;
  runnerStartedAt: Date | null;
  heartbeatAt: Date | null;
  endedAt: Date | null;
  /** How it ended; null while it runs. */
  result: AttemptOutcome | null;
  error: string | null;
  /** The Budgets ('<namespace>/<name>') the attempt drew on besides its cap. */
  budgetKeys: string[];
}

/** The columns an ExecutionSession is read from (not the snapshot, which only the runner needs). */
export const EXECUTION_SESSION_COLUMNS = Object.keys(executionSessionRowSchema.shape).join(', ');

export const executionSessionSchema = executionSessionRowSchema.transform((row, ctx): ExecutionSession => {
  let result: AttemptOutcome | null = null;
  if (row.outcome !== null) {
    const parsed = attemptOutcomeSchema.safeParse({ outcome: row.outcome, detail: row.outcome_detail ?? {} });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: 'custom', message: issue.message, path: ['outcome_detail', ...issue.path.slice(1)] });
      }
      return z.NEVER;
    }
    result = parsed.data;
  }
  return {
    id: row.id,
    storyUid: row.story_uid,
    attempt: row.attempt,
    mode: row.mode,
    podName: row.pod_name,
    podUid: row.pod_uid,
    step: row.step,
    stepStartedAt: row.step_started_at,
    costUSD: row.cost_usd,
    maxCostUSD: row.max_cost_usd,
    createdAt: row.created_at,
    runnerStartedAt: row.runner_started_at,
    heartbeatAt: row.heartbeat_at,
    endedAt: row.ended_at,
    result,
    error: row.error,
    budgetKeys: row.budget_keys,
  };
});

export const executionSessions = defineTable('execution_sessions', executionSessionSchema, (row) => row.id);
