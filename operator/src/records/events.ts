// execution_events written by the operator: one row per transition, keyed so
// a repeated reconcile records it once. The data follows the contract's
// operator event schema.
import type pg from 'pg';
import { operatorEventDataSchema, type OperatorEventData } from '@nightshift/crds/contract';

export interface OperatorEvent {
  storyUid: string;
  sessionId?: string | undefined;
  /** The transition's reason (a CamelCase word). */
  type: string;
  step?: string | undefined;
  message: string;
  data?: OperatorEventData;
  idempotencyKey: string;
}

/** true when this call wrote the event (false: it was already recorded). */
export async function recordEvent(pool: pg.Pool, event: OperatorEvent): Promise<boolean> {
  const data = operatorEventDataSchema.parse(event.data ?? {});
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
      JSON.stringify(data),
      event.idempotencyKey,
    ],
  );
  return rowCount === 1;
}
