// What a Budget has spent, holds in flight and may still spend in its current
// day and week, read from the ledger: the window of each period when one is
// open, else the limit in force for it (no call was reserved yet).
import { z } from 'zod';
import { numericColumn } from '../contract/index.ts';
import type { Queryable } from './ledger.ts';
import { periodsOf, type Period, type PeriodCalendar, type PeriodScope } from './periods.ts';

export interface PeriodUsage {
  period: Period;
  /** In force for this period (limit + its extensions); null: no limit. */
  limitUSD: number | null;
  spentUSD: number;
  reservedUSD: number;
}

export type BudgetUsage = Record<PeriodScope, PeriodUsage>;

const usageRow = z.object({
  scope: z.enum(['daily', 'weekly']),
  limit_usd: numericColumn.nullable(),
  spent_usd: numericColumn,
  reserved_usd: numericColumn,
});

export async function readBudgetUsage(
  db: Queryable,
  key: string,
  calendar: PeriodCalendar,
  at: Date,
): Promise<BudgetUsage> {
  const { daily, weekly } = periodsOf(at, calendar);
  const { rows } = await db.query(
    `select p.scope,
            coalesce(w.limit_usd, budget_window_limit($1, p.scope, p.start)) as limit_usd,
            coalesce(w.spent_usd, 0) as spent_usd, coalesce(w.reserved_usd, 0) as reserved_usd
       from unnest($2::text[], $3::timestamptz[]) as p (scope, start)
       left join budget_windows w on w.scope = p.scope and w.scope_key = $1 and w.period_start = p.start`,
    [key, ['daily', 'weekly'], [daily.start, weekly.start]],
  );
  const parsed = new Map(rows.map((r) => usageRow.parse(r)).map((r) => [r.scope, r]));
  const of = (period: Period): PeriodUsage => {
    const row = parsed.get(period.scope);
    return {
      period,
      limitUSD: row?.limit_usd ?? null,
      spentUSD: row?.spent_usd ?? 0,
      reservedUSD: row?.reserved_usd ?? 0,
    };
  };
  return { daily: of(daily), weekly: of(weekly) };
}

/** What still fits the period: limit − spent − reserved (Infinity without a limit). */
export const remainingOf = (u: PeriodUsage): number =>
  u.limitUSD === null ? Infinity : Math.max(0, u.limitUSD - u.spentUSD - u.reservedUSD);
