// This attempt's execution_sessions row (the operator inserted it). The runner
// owns runner_started_at, step, heartbeat_at, cost_usd and the outcome; after
// each change it NOTIFYs nightshift_story so the operator reconciles at once.
import type pg from 'pg';

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

  constructor(pool: pg.Pool, sessionId: string, storyKey: { namespace: string; name: string }) {
    this.pool = pool;
    this.sessionId = sessionId;
    this.storyKey = `${storyKey.namespace}/${storyKey.name}`;
  }

  /** Fails when the operator has not inserted this attempt's row: the runner must not invent one. */
  async markStarted(): Promise<void> {
    const { rowCount } = await this.pool.query(
      `update execution_sessions set runner_started_at = coalesce(runner_started_at, now()), heartbeat_at = now()
        where id = $1`,
      [this.sessionId],
    );
    if (rowCount !== 1) throw new Error(`execution_sessions has no row ${this.sessionId} (NIGHTSHIFT_SESSION_ID)`);
    await this.notify();
  }

  async setStep(step: string): Promise<void> {
    await this.update('step = $2', [step]);
  }

  async heartbeat(): Promise<void> {
    await this.update('heartbeat_at = now()', []);
  }

  async setCost(costUSD: number): Promise<void> {
    await this.update('cost_usd = $2', [costUSD]);
  }

  async finish(result: Outcome): Promise<void> {
    await this.update('ended_at = now(), outcome = $2, outcome_detail = $3', [
      result.outcome,
      JSON.stringify(result.detail),
    ]);
  }

  private async update(set: string, values: unknown[]): Promise<void> {
    await this.pool.query(`update execution_sessions set ${set} where id = $1`, [this.sessionId, ...values]);
    await this.notify();
  }

  private async notify(): Promise<void> {
    await this.pool.query('select pg_notify($1, $2)', [NOTIFY_CHANNEL, this.storyKey]);
  }
}
