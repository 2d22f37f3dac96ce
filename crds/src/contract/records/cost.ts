// The cost ledger's tables: spending windows (a story's cap, a Budget's day or
// week) and the reservations drawn against them (reserve_cost / settle_cost).
import { z } from 'zod';
import { defineTable, numericColumn, timestampColumn, uuidColumn } from './table.ts';

export const WINDOW_SCOPES = ['story', 'daily', 'weekly'] as const;
/**
 * reserved: held by a call in flight; settled: charged its real cost;
 * released: the call cost nothing; expired: released by an older ledger when
 * its holder died; unconfirmed: its holder died, so it was charged its worst
 * case (the provider may have billed the call in flight).
 */
export const RESERVATION_STATES = ['reserved', 'settled', 'released', 'expired', 'unconfirmed'] as const;

const bigintId = z.union([z.string(), z.number()]).transform(String);
/** A story window is open-ended: node-postgres returns ±infinity as ±Infinity (or a string, by parser). */
const periodBound = z.union([
  timestampColumn,
  z.custom<number>((v) => v === Infinity || v === -Infinity, 'expected a timestamp or ±infinity'),
  z.enum(['-infinity', 'infinity']),
]);

export const budgetWindowRowSchema = z.object({
  id: bigintId,
  scope: z.enum(WINDOW_SCOPES),
  scope_key: z.string(),
  period_start: periodBound,
  period_end: periodBound,
  limit_usd: numericColumn.nullable(),
  spent_usd: numericColumn,
  reserved_usd: numericColumn,
});
export const budgetWindows = defineTable('budget_windows', budgetWindowRowSchema, (row) => row.id);

export const costReservationRowSchema = z.object({
  id: uuidColumn,
  story_uid: uuidColumn,
  session_id: uuidColumn.nullable(),
  window_ids: z.array(bigintId),
  amount_usd: numericColumn,
  actual_usd: numericColumn.nullable(),
  state: z.enum(RESERVATION_STATES),
  purpose: z.string().nullable(),
  created_at: timestampColumn,
  expires_at: timestampColumn,
  settled_at: timestampColumn.nullable(),
});
export const costReservations = defineTable('cost_reservations', costReservationRowSchema, (row) => row.id);
