// execution_events written by the operator: one row per transition, keyed so
// a repeated reconcile records it once.
import type pg from 'pg';

export interface OperatorEvent {
  storyUid: string;
  sessionId?: string | undefined;
  type: string;
  step?: string | undefined;
  message: string;
  data?: Record<string, unknown>;
  idempotencyKey: string;
}

export async function recordEvent(pool: pg.Pool, event: OperatorEvent): Promise<boolean> {
  const { rowCount } = await pool.query(
    `insert into execution_events (session_id, story_uid, source, type, step, message, data, idempotency_key)
     values ($1, $2, 'operator', $3, $4, $5, $6, $7)
     on conflict (idempotency_key) do nothing`,
    [
      event.sessionId ?? null,
      event.storyUid,
      event.type,
      event.step ?? null,
      event.message,
      event.data ?? {},
      event.idempotencyKey,
    ],
  );
  return rowCount === 1;
}
