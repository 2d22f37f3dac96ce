// This attempt's execution_sessions row (the operator inserted it). The runner
// owns runner_started_at, step, heartbeat_at, cost_usd and the outcome; after a
// change of step, cost or outcome it NOTIFYs nightshift_story so the operator
// reconciles at once (heartbeats do not: the operator does not act on them).
// The operator ends an attempt itself when its pod died or was cut
// (Crashed, Paused), so every write here is guarded by ended_at is null: the
// runner never overwrites an outcome the operator recorded.
import type pg from 'pg';
import type { Logger } from '../log.ts';

export type Outcome =
  | { outcome: 'Succeeded'; detail: { pullRequest: { url: string; number: number }; confidence: number } }
  | { outcome: 'WaitingForHuman'; detail: { decisionId: string } }
  | { outcome: 'Paused'; detail: { reason: 'Stopped' | 'BudgetExceeded'; message: string } }
  | { outcome: 'Failed'; detail: { reason: string; message: string } }
  | { outcome: 'Salvaged'; detail: { branch: string; pushed: boolean } };

export const NOTIFY_CHANNEL = 'nightshift_story';

export class SessionRecord {
  private readonly pool: pg.Pool;
  readonly sessionId: string;
  private readonly storyKey: string;
  private readonly log: Logger;

  constructor(pool: pg.Pool, sessionId: string, storyKey: { namespace: string; name: string }, log: Logger) {
    this.pool = pool;
    this.sessionId = sessionId;
    this.storyKey = `${storyKey.namespace}/${storyKey.name}`;
    this.log = log;
  }

  /** Fails when the operator has not inserted this attempt's row, or has already ended it: the runner must not work then. */
  async markStarted(): Promise<void> {
    if (await this.update('runner_started_at = coalesce(runner_started_at, now()), heartbeat_at = now()', [])) return;
    const ended = await this.endedOutcome();
    if (ended === undefined) {
      throw new Error(`execution_sessions has no row ${this.sessionId} (NIGHTSHIFT_SESSION_ID)`);
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
    if (notify) await this.pool.query('select pg_notify($1, $2)', [NOTIFY_CHANNEL, this.storyKey]);
    return true;
  }

  /** The outcome of the ended row (null when it has none), or undefined when there is no such row. */
  private async endedOutcome(): Promise<string | null | undefined> {
    const { rows } = await this.pool.query<{ outcome: string | null }>(
      'select outcome from execution_sessions where id = $1',
      [this.sessionId],
    );
    return rows[0] ? rows[0].outcome : undefined;
  }
}
