// The runner's side of execution_events (source 'runner'): what happened, in
// order, for the dashboard's replay. Every type and its data follow the
// contract (runnerEventDataSchemas), checked before the write. A write that a
// resumed process could repeat carries an idempotency key, so the second write
// is a no-op.
import type pg from 'pg';
import { runnerEventDataSchemas, type RunnerEventData, type RunnerEventType } from '@nightshift/crds/contract';

export type EventType = RunnerEventType;

export type RunnerEvent = {
  [T in RunnerEventType]: {
    type: T;
    step?: string | undefined;
    message?: string;
    data: RunnerEventData<T>;
    /** Unique per story; the same key twice writes once. */
    key?: string;
  };
}[RunnerEventType];

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
    const checked = runnerEventDataSchemas[event.type].safeParse(event.data);
    if (!checked.success) {
      throw new Error(`a ${event.type} event does not match the contract: ${checked.error.message}`);
    }
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
        JSON.stringify(checked.data),
        event.key ? `${this.storyUid}:${event.key}` : null,
      ],
    );
  }
}
