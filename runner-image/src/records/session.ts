// This attempt's execution_sessions row (the operator inserted it, with the
// StoryRun snapshot the runner works from). The runner owns
// runner_started_at, step, heartbeat_at, cost_usd, error and the outcome;
// after a change of step, cost or outcome it NOTIFYs the story channel so the
// operator reconciles at once (heartbeats do not: the operator does not act on
// them). The operator ends an attempt itself when its pod died or was cut
// (Crashed, Paused), so every write here is guarded by ended_at is null: the
// runner never overwrites an outcome the operator recorded.
import type pg from 'pg';
import { z } from 'zod';
import {
  ATTEMPT_OUTCOMES,
  NOTIFY_CHANNELS,
  RUNNER_ENV,
  defineTable,
  executionSessionRowSchema,
  storyNotificationPayload,
  type RunnerOutcome,
} from '@nightshift/crds/contract';
import type { Logger } from '../log.ts';

export type Outcome = RunnerOutcome;

/** What a runner reads of its row before it starts: who it works for, and the snapshot. */
const attemptRow = defineTable(
  'execution_sessions',
  executionSessionRowSchema
    .pick({
      id: true,
      story_uid: true,
      namespace: true,
      name: true,
      attempt: true,
      ended_at: true,
      outcome: true,
      budget_keys: true,
    })
    .extend({ storyrun: z.unknown() }),
  (row) => row.id,
);
const outcomeRow = defineTable(
  'execution_sessions',
  z.object({ id: z.string(), outcome: z.enum(ATTEMPT_OUTCOMES).nullable() }),
  (row) => row.id,
);

export interface AttemptRecord {
  storyUid: string;
  namespace: string;
  name: string;
  attempt: number;
  /** The StoryRun as the operator wrote it, still to be parsed (config.ts parseSnapshot). */
  snapshot: unknown;
  /** The Budgets this attempt draws on besides its cap (its queue's and its own budgetRef). */
  budgetKeys: string[];
}

/** Reads the attempt's row; fails when the operator has not inserted it. */
export async function readAttempt(pool: pg.Pool, sessionId: string): Promise<AttemptRecord> {
  const { rows } = await pool.query(
    'select id, story_uid, namespace, name, attempt, ended_at, outcome, budget_keys, storyrun from execution_sessions where id = $1',
    [sessionId],
  );
  if (rows[0] === undefined) throw new Error(`execution_sessions has no row ${sessionId} (${RUNNER_ENV.sessionId})`);
  const row = attemptRow.parse(rows[0]);
  return {
    storyUid: row.story_uid,
    namespace: row.namespace,
    name: row.name,
    attempt: row.attempt,
    snapshot: row.storyrun,
    budgetKeys: row.budget_keys,
  };
}

export class SessionRecord {
  private readonly pool: pg.Pool;
  readonly sessionId: string;
  private readonly storyKey: string;
  private readonly log: Logger;

  constructor(pool: pg.Pool, sessionId: string, story: { namespace: string; name: string }, log: Logger) {
    this.pool = pool;
    this.sessionId = sessionId;
    this.storyKey = storyNotificationPayload(story);
    this.log = log;
  }

  /** Fails when the operator has not inserted this attempt's row, or has already ended it: the runner must not work then. */
  async markStarted(): Promise<void> {
    if (await this.update('runner_started_at = coalesce(runner_started_at, now()), heartbeat_at = now()', [])) return;
    const ended = await this.endedOutcome();
    if (ended === undefined) {
      throw new Error(`execution_sessions has no row ${this.sessionId} (${RUNNER_ENV.sessionId})`);
    }
    throw new Error(
      `attempt ${this.sessionId} was already ended (outcome ${ended ?? 'none'}) before its runner started`,
    );
  }

  async setStep(step: string): Promise<void> {
    await this.update('step = $2', [step]);
  }

  /** No NOTIFY: heartbeat_at is for telling a stuck runner from a slow one, not a change to reconcile. */
  async heartbeat(): Promise<void> {
    await this.update('heartbeat_at = now()', [], { notify: false });
  }

  async setCost(costUSD: number): Promise<void> {
    await this.update('cost_usd = $2', [costUSD]);
  }

  /**
   * The error that is about to crash this runner, for the operator to show
   * (the attempt stays open: the operator ends it when the pod is gone). No
   * NOTIFY: the pod's exit is what the operator acts on.
   */
  async recordError(message: string): Promise<void> {
    await this.update('error = $2', [message.slice(0, 4000)], { notify: false });
  }

  /**
   * Records the outcome; false (logged, not thrown) when the attempt was
   * already ended, by the operator, whose outcome then stands.
   */
  async finish(result: Outcome): Promise<boolean> {
    const recorded = await this.update('ended_at = now(), outcome = $2, outcome_detail = $3', [
      result.outcome,
      JSON.stringify(result.detail),
    ]);
    if (!recorded) {
      this.log.warn(
        { outcome: result.outcome, recordedOutcome: (await this.endedOutcome()) ?? null },
        'the attempt was already ended: its recorded outcome stands, this one is not recorded',
      );
    }
    return recorded;
  }

  /** true when the row was still open and changed. */
  private async update(set: string, values: unknown[], { notify = true } = {}): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `update execution_sessions set ${set} where id = $1 and ended_at is null`,
      [this.sessionId, ...values],
    );
    if (rowCount !== 1) return false;
    if (notify) await this.pool.query('select pg_notify($1, $2)', [NOTIFY_CHANNELS.story, this.storyKey]);
    return true;
  }

  /** The outcome of the ended row (null when it has none), or undefined when there is no such row. */
  private async endedOutcome(): Promise<string | null | undefined> {
    const { rows } = await this.pool.query('select id, outcome from execution_sessions where id = $1', [
      this.sessionId,
    ]);
    return rows[0] === undefined ? undefined : outcomeRow.parse(rows[0]).outcome;
  }
}
