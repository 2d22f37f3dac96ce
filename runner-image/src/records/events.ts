// The runner's side of execution_events (source 'runner'): what happened, in
// order, for the dashboard's replay. A write that a resumed process could
// repeat carries an idempotency key, so the second write is a no-op.
import type pg from 'pg';

export type EventType =
  | 'RunnerStarted'
  | 'RunnerFinished'
  | 'RunnerError'
  | 'WorktreeReady'
  | 'WorktreeRecovered'
  | 'StepStarted'
  | 'StepFinished'
  | 'AgentCall'
  | 'ToolCall'
  | 'FileChanged'
  | 'Committed'
  | 'VerifyResult'
  | 'ReviewResult'
  | 'GateResult'
  | 'DecisionAsked'
  | 'DecisionAnswered'
  | 'BudgetRefused'
  | 'BranchPushed'
  | 'PullRequestOpened'
  | 'SlowStep'
  | 'Heartbeat';

export interface RunnerEvent {
  type: EventType;
  step?: string | undefined;
  message?: string;
  data?: Record<string, unknown>;
  /** Unique per story; the same key twice writes once. */
  key?: string;
}

export interface EventSink {
  record(event: RunnerEvent): Promise<void>;
}

export class EventLog implements EventSink {
  private readonly pool: pg.Pool;
  private readonly storyUid: string;
  private readonly sessionId: string;

  constructor(pool: pg.Pool, storyUid: string, sessionId: string) {
    this.pool = pool;
    this.storyUid = storyUid;
    this.sessionId = sessionId;
  }

  async record(event: RunnerEvent): Promise<void> {
    await this.pool.query(
      `insert into execution_events (session_id, story_uid, source, type, step, message, data, idempotency_key)
       values ($1, $2, 'runner', $3, $4, $5, $6, $7)
       on conflict (idempotency_key) do nothing`,
      [
        this.sessionId,
        this.storyUid,
        event.type,
        event.step ?? null,
        event.message ?? null,
        JSON.stringify(event.data ?? {}),
        event.key ? `${this.storyUid}:${event.key}` : null,
      ],
    );
  }
}
