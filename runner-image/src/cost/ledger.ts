// The story's side of the cost ledger (reserve_cost / settle_cost in the
// schema): one budget window per story (scope 'story', key = uid, limit =
// spec.maxCostUSD), a reservation of the worst case before each model call and
// a settlement to the real cost after it.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { budgetWindowRowSchema, costReservationRowSchema, defineTable, numericColumn } from '@nightshift/crds/contract';

const windowState = defineTable(
  'budget_windows',
  budgetWindowRowSchema.pick({ id: true, limit_usd: true, spent_usd: true, reserved_usd: true }),
  (row) => row.id,
);
const reservationState = defineTable(
  'cost_reservations',
  costReservationRowSchema.pick({ id: true, state: true }),
  (row) => row.id,
);
const windowId = z.object({ id: z.union([z.string(), z.number()]).transform(String) });
const count = z.object({ n: z.coerce.number().int() });
const reserved = z.object({ ok: z.boolean() });
const total = z.object({ total: numericColumn });

export interface WindowState {
  limitUSD: number | null;
  spentUSD: number;
  reservedUSD: number;
}

export class CostLedger {
  private readonly pool: pg.Pool;
  private readonly storyUid: string;
  private readonly sessionId: string;
  private readonly ttlSeconds: number;
  private windowId: string | undefined;

  constructor(pool: pg.Pool, options: { storyUid: string; sessionId: string; ttlSeconds: number }) {
    this.pool = pool;
    this.storyUid = options.storyUid;
    this.sessionId = options.sessionId;
    this.ttlSeconds = options.ttlSeconds;
  }

  /**
   * Upserts the story window with the current cap (so raising the cap and
   * resuming works) and releases reservations whose holder died: those of
   * earlier attempts of this story at once (abandoned), any other past its TTL
   * (expired).
   */
  async open(limitUSD: number | undefined): Promise<{ abandoned: number; expired: number }> {
    const { rows } = await this.pool.query(
      `insert into budget_windows (scope, scope_key, limit_usd) values ('story', $1, $2)
       on conflict (scope, scope_key, period_start) do update set limit_usd = excluded.limit_usd
       returning id`,
      [this.storyUid, limitUSD ?? null],
    );
    this.windowId = windowId.parse(rows[0]).id;
    const abandoned = await this.releaseEarlierAttempts();
    const expired = await this.pool.query('select expire_cost_reservations() as n');
    return { abandoned, expired: count.parse(expired.rows[0]).n };
  }

  /** Reserves amount; the reservation id, or undefined when it does not fit under the cap. */
  async reserve(amountUSD: number, purpose: string, ttlSeconds = this.ttlSeconds): Promise<string | undefined> {
    const id = randomUUID();
    const { rows } = await this.pool.query(
      `select reserve_cost($1, $2, $3, array[$4::bigint], $5, make_interval(secs => $6), $7) as ok`,
      [id, this.storyUid, this.sessionId, this.requireWindow(), roundUp(amountUSD), ttlSeconds, purpose],
    );
    return reserved.parse(rows[0]).ok ? id : undefined;
  }

  /**
   * Settles to the real cost; null releases the reservation (the call cost
   * nothing). false when the reservation had expired meanwhile (its holder was
   * taken for dead), so the cost could not be recorded.
   */
  async settle(reservationId: string, actualUSD: number | null): Promise<boolean> {
    await this.pool.query('select settle_cost($1, $2)', [
      reservationId,
      actualUSD === null ? null : actualUSD.toFixed(6),
    ]);
    const { rows } = await this.pool.query('select id, state from cost_reservations where id = $1', [reservationId]);
    return reservationState.parse(rows[0]).state !== 'expired';
  }

  async window(): Promise<WindowState> {
    const { rows } = await this.pool.query(
      'select id, limit_usd, spent_usd, reserved_usd from budget_windows where id = $1',
      [this.requireWindow()],
    );
    const row = windowState.parse(rows[0]);
    return { limitUSD: row.limit_usd, spentUSD: row.spent_usd, reservedUSD: row.reserved_usd };
  }

  /** The story's settled total over every attempt (execution_sessions.cost_usd). */
  async settledTotal(): Promise<number> {
    const { rows } = await this.pool.query(
      `select coalesce(sum(actual_usd), 0) as total from cost_reservations where story_uid = $1 and state = 'settled'`,
      [this.storyUid],
    );
    return total.parse(rows[0]).total;
  }

  /**
   * The caller holds the story lock, so no other runner of this story is
   * alive: what another session of it still holds was reserved by a pod that
   * crashed or was cut mid-call, and would block the cap until its TTL. Marked
   * expired like a reservation past its TTL, so a settle() that still arrives
   * reports the cost as lost.
   */
  private async releaseEarlierAttempts(): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query(
        `select id from cost_reservations
          where story_uid = $1 and state = 'reserved' and session_id is distinct from $2
          order by id for update`,
        [this.storyUid, this.sessionId],
      );
      for (const { id } of z.array(z.object({ id: z.string() })).parse(rows)) {
        await client.query('select settle_cost($1, null)', [id]);
        await client.query(`update cost_reservations set state = 'expired' where id = $1`, [id]);
      }
      await client.query('commit');
      return rows.length;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw new Error(
        `failed to release the cost reservations of earlier attempts of story ${this.storyUid}: ${(error as Error).message}`,
        { cause: error },
      );
    } finally {
      client.release();
    }
  }

  private requireWindow(): string {
    if (!this.windowId) throw new Error('the story budget window is not open (call open() first)');
    return this.windowId;
  }
}

/** Micro-dollars, rounded up: a reservation must never be smaller than the worst case it stands for. */
function roundUp(amountUSD: number): string {
  return (Math.ceil(amountUSD * 1e6 - 1e-9) / 1e6).toFixed(6);
}
