// The cost ledger, one module for the runner and the operator: every model
// call reserves its worst case in ONE statement (reserve_cost) against all
// the windows it draws on at once — the story's cap, and the current day and
// week of each Budget the story draws on (limits plus the extensions granted
// for that period) — and settles to its real cost after the call. Periods are
// computed here (periods.ts) from each Budget's calendar as the ledger holds
// it; when a boundary passes, the next reservation opens the new period's
// windows. A reservation whose holder died is charged its worst case
// (unconfirmed), never released.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { budgetRowSchema, defineTable, numericColumn } from '../contract/index.ts';
import { budgetWindowRowSchema, costReservationRowSchema } from '../contract/records/cost.ts';
import { periodsOf, type PeriodCalendar, type PeriodScope } from './periods.ts';

/** What the ledger needs of a pg.Pool or pg.Client. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export type WindowScope = 'story' | PeriodScope;

export interface WindowState {
  id: string;
  scope: WindowScope;
  /** The story uid, or the Budget key '<namespace>/<name>'. */
  key: string;
  periodEnd: Date | undefined;
  limitUSD: number | null;
  spentUSD: number;
  reservedUSD: number;
}

/** Why a reservation was refused: the first window it did not fit. */
export interface Refusal {
  scope: WindowScope;
  key: string;
  limitUSD: number | null;
  spentUSD: number;
  reservedUSD: number;
  periodEnd: Date | undefined;
  message: string;
}

export type ReserveResult = { id: string } | { refused: Refusal };

export interface LedgerOptions {
  storyUid: string;
  sessionId: string;
  ttlSeconds: number;
  /** The Budgets this attempt draws on (execution_sessions.budget_keys). */
  budgetKeys: readonly string[];
  /** The runner's clock, which decides the period (tests move it). */
  now?: () => Date;
}

const windowRows = defineTable('budget_windows', budgetWindowRowSchema, (row) => row.id);
const calendars = defineTable(
  'budgets',
  budgetRowSchema.pick({ key: true, timezone: true, week_starts_on: true }),
  (row) => row.key,
);
const reservationState = defineTable(
  'cost_reservations',
  costReservationRowSchema.pick({ id: true, state: true }),
  (row) => row.id,
);
const idRow = z.object({ id: z.union([z.string(), z.number()]).transform(String) });
const okRow = z.object({ ok: z.boolean() });
const countRow = z.object({ n: z.coerce.number().int() });
const totalRow = z.object({ total: numericColumn });

/** Postgres' error code for "no such Budget in the ledger" (open_budget_windows). */
const UNKNOWN_BUDGET = 'NSB01';

const WINDOW_COLUMNS = 'id, scope, scope_key, period_start, period_end, limit_usd, spent_usd, reserved_usd';

export class BudgetLedger {
  private readonly db: Queryable;
  private readonly options: LedgerOptions;
  private readonly now: () => Date;
  private storyWindowId: string | undefined;
  /** The Budget windows of the current periods, valid until the earliest of their ends. */
  private current: { ids: string[]; validUntil: number } | undefined;

  constructor(db: Queryable, options: LedgerOptions) {
    this.db = db;
    this.options = options;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Upserts the story window with the current cap (so raising the cap and
   * resuming works) and charges what holders that died still hold: earlier
   * attempts of this story at once (the caller holds the story lock, so
   * none of them is alive: abandoned), any other reservation past its TTL
   * (expired). Both are charged their worst case, as unconfirmed.
   */
  async open(storyLimitUSD: number | undefined): Promise<{ abandoned: number; expired: number }> {
    const { rows } = await this.db.query(
      `insert into budget_windows (scope, scope_key, limit_usd) values ('story', $1, $2)
       on conflict (scope, scope_key, period_start) do update set limit_usd = excluded.limit_usd
       returning id`,
      [this.options.storyUid, storyLimitUSD ?? null],
    );
    this.storyWindowId = idRow.parse(rows[0]).id;
    this.current = undefined;
    const abandoned = await this.db.query(
      `select count(*) as n from (
         select settle_unconfirmed(id) from (
           select id from cost_reservations
            where story_uid = $1 and state = 'reserved' and session_id is distinct from $2 order by id) r) charged`,
      [this.options.storyUid, this.options.sessionId],
    );
    return { abandoned: countRow.parse(abandoned.rows[0]).n, expired: await expireReservations(this.db) };
  }

  /** Reserves amount against every window at once; the reservation id, or why it did not fit. */
  async reserve(amountUSD: number, purpose: string, ttlSeconds = this.options.ttlSeconds): Promise<ReserveResult> {
    const amount = roundUp(amountUSD);
    let ids: string[];
    try {
      ids = [this.requireStoryWindow(), ...(await this.budgetWindowIds())];
    } catch (error) {
      const unknown = unknownBudget(error);
      if (!unknown) throw error;
      return { refused: unknown };
    }
    const id = randomUUID();
    const { rows } = await this.db.query(
      'select reserve_cost($1, $2, $3, $4::bigint[], $5, make_interval(secs => $6), $7) as ok',
      [id, this.options.storyUid, this.options.sessionId, ids, amount, ttlSeconds, purpose],
    );
    if (okRow.parse(rows[0]).ok) return { id };
    return { refused: refusalOf(await this.windowsById(ids), Number(amount)) };
  }

  /**
   * Settles to the real cost (null: the call cost nothing). false when the
   * reservation was charged meanwhile as unconfirmed (its holder was taken
   * for dead), so this cost is not what the ledger holds.
   */
  async settle(reservationId: string, actualUSD: number | null): Promise<boolean> {
    await this.db.query('select settle_cost($1, $2)', [
      reservationId,
      actualUSD === null ? null : actualUSD.toFixed(6),
    ]);
    const { rows } = await this.db.query('select id, state from cost_reservations where id = $1', [reservationId]);
    const { state } = reservationState.parse(rows[0]);
    return state === 'settled' || state === 'released';
  }

  /** The story window and the current Budget windows. */
  async windows(): Promise<WindowState[]> {
    return this.windowsById([this.requireStoryWindow(), ...(await this.budgetWindowIds())]);
  }

  /** The story's cap window alone. */
  async storyWindow(): Promise<WindowState> {
    const [story] = await this.windowsById([this.requireStoryWindow()]);
    return story!;
  }

  /** The story's charged total over every attempt, unconfirmed charges included. */
  async settledTotal(): Promise<number> {
    const { rows } = await this.db.query(
      `select coalesce(sum(actual_usd), 0) as total from cost_reservations
        where story_uid = $1 and state in ('settled', 'unconfirmed')`,
      [this.options.storyUid],
    );
    return totalRow.parse(rows[0]).total;
  }

  private async budgetWindowIds(): Promise<string[]> {
    if (this.options.budgetKeys.length === 0) return [];
    const at = this.now();
    if (this.current && at.getTime() < this.current.validUntil) return this.current.ids;
    // A new period (or the first call): the Budgets' calendars as the ledger holds them now.
    const { rows } = await this.db.query('select key, timezone, week_starts_on from budgets where key = any($1)', [
      this.options.budgetKeys,
    ]);
    const byKey = new Map(calendars.parseAll(rows).map((r) => [r.key, r]));
    const keys: string[] = [];
    const scopes: PeriodScope[] = [];
    const starts: Date[] = [];
    const ends: Date[] = [];
    for (const key of this.options.budgetKeys) {
      const row = byKey.get(key);
      // Unknown here: open_budget_windows names it.
      const calendar: PeriodCalendar = row
        ? { timezone: row.timezone, weekStartsOn: row.week_starts_on }
        : { timezone: 'UTC', weekStartsOn: 'Monday' };
      for (const period of Object.values(periodsOf(at, calendar))) {
        keys.push(key);
        scopes.push(period.scope);
        starts.push(period.start);
        ends.push(period.end);
      }
    }
    const opened = await this.db.query(
      'select id from open_budget_windows($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[])',
      [keys, scopes, starts, ends],
    );
    const ids = opened.rows.map((r) => idRow.parse(r).id);
    this.current = { ids, validUntil: Math.min(...ends.map((e) => e.getTime())) };
    return ids;
  }

  private async windowsById(ids: string[]): Promise<WindowState[]> {
    const { rows } = await this.db.query(
      `select ${WINDOW_COLUMNS} from budget_windows where id = any($1::bigint[]) order by id`,
      [ids],
    );
    const byId = new Map(windowRows.parseAll(rows).map((r) => [r.id, windowState(r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  private requireStoryWindow(): string {
    if (!this.storyWindowId) throw new Error('the story budget window is not open (call open() first)');
    return this.storyWindowId;
  }
}

/** Charges every reservation past its TTL at its worst case (unconfirmed); how many. */
export async function expireReservations(db: Queryable): Promise<number> {
  const { rows } = await db.query('select expire_cost_reservations() as n');
  return countRow.parse(rows[0]).n;
}

function windowState(row: z.output<typeof budgetWindowRowSchema>): WindowState {
  return {
    id: row.id,
    scope: row.scope,
    key: row.scope_key,
    periodEnd: row.period_end instanceof Date && Number.isFinite(row.period_end.getTime()) ? row.period_end : undefined,
    limitUSD: row.limit_usd,
    spentUSD: row.spent_usd,
    reservedUSD: row.reserved_usd,
  };
}

const usd = (n: number | null) => (n === null ? 'unlimited' : `$${n.toFixed(6)}`);

/**
 * The window that refused: the first the amount does not fit (story cap, then
 * each Budget's day and week). Read after the refusal, when calls in flight
 * may have settled meanwhile: then the one with the least room left.
 */
export function refusalOf(windows: WindowState[], amountUSD: number): Refusal {
  const room = (w: WindowState) => (w.limitUSD === null ? Infinity : w.limitUSD - w.spentUSD - w.reservedUSD);
  const full = windows.find((w) => room(w) < amountUSD - 1e-9) ?? [...windows].sort((a, b) => room(a) - room(b))[0]!;
  const what =
    full.scope === 'story'
      ? "the story's cap"
      : `Budget ${full.key}'s ${full.scope === 'daily' ? 'daily' : 'weekly'} limit`;
  const remedy =
    full.scope === 'story'
      ? 'raise spec.maxCostUSD to resume'
      : `it resumes by itself when the period ends${full.periodEnd ? ` (${full.periodEnd.toISOString()})` : ''}, or when the limit is raised or extended`;
  return {
    scope: full.scope,
    key: full.key,
    limitUSD: full.limitUSD,
    spentUSD: full.spentUSD,
    reservedUSD: full.reservedUSD,
    periodEnd: full.periodEnd,
    message:
      `its worst case $${amountUSD.toFixed(6)} does not fit ${what} ${usd(full.limitUSD)} ` +
      `(spent $${full.spentUSD.toFixed(6)}, reserved by calls in flight $${full.reservedUSD.toFixed(6)}); ${remedy}`,
  };
}

function unknownBudget(error: unknown): Refusal | undefined {
  if ((error as { code?: string }).code !== UNKNOWN_BUDGET) return undefined;
  const message = (error as Error).message;
  const key = /Budget (\S+)/.exec(message)?.[1] ?? 'unknown';
  return { scope: 'daily', key, limitUSD: 0, spentUSD: 0, reservedUSD: 0, periodEnd: undefined, message };
}

/** Micro-dollars, rounded up: a reservation must never be smaller than the worst case it stands for. */
export function roundUp(amountUSD: number): string {
  return (Math.ceil(amountUSD * 1e6 - 1e-9) / 1e6).toFixed(6);
}
