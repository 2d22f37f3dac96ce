// The Budget records: the limits in force and their extensions (what the
// ledger enforces), the audit of every change, the alerts (once per Budget,
// limit, period and kind: a keyed row, then the Event), and how far cost
// estimates were off for the stories that drew on a Budget. Rows are parsed
// with the contract's schemas.
import type pg from 'pg';
import { z } from 'zod';
import {
  budgetExtensionRows,
  budgetRows,
  NOTIFY_CHANNELS,
  numericColumn,
  type BudgetRow,
} from '@nightshift/crds/contract';
import type { BudgetSpec } from '@nightshift/crds';
import type { LimitChange, LimitsInForce } from '../budget/limits.ts';
import type { LimitReached } from '../budget/state.ts';

export interface BudgetRecord {
  row: BudgetRow;
  limits: LimitsInForce;
}

export async function readBudget(pool: pg.Pool, key: string): Promise<BudgetRecord | undefined> {
  const { rows } = await pool.query('select * from budgets where key = $1', [key]);
  if (!rows[0]) return undefined;
  const row = budgetRows.parse(rows[0]);
  const extensions = await pool.query('select * from budget_extensions where budget_key = $1 order by granted_at', [
    key,
  ]);
  return {
    row,
    limits: {
      dailyLimitUSD: row.daily_limit_usd,
      weeklyLimitUSD: row.weekly_limit_usd,
      extensions: budgetExtensionRows.parseAll(extensions.rows).map((e) => ({
        fingerprint: e.fingerprint,
        scope: e.scope,
        periodStart: e.period_start,
        amountUSD: e.amount_usd,
        reason: e.reason,
        grantedAt: e.granted_at,
      })),
    },
  };
}

export interface AppliedBudget {
  key: string;
  namespace: string;
  name: string;
  uid: string | undefined;
  spec: BudgetSpec;
  generation: number;
  limits: LimitsInForce;
  changes: LimitChange[];
  changedBy: string | undefined;
  reason: string | undefined;
}

/**
 * Writes what the Budget enforces and its changes in one transaction, and
 * brings the limits of its current and future windows along; returns the
 * changes recorded for the first time (a repeated reconcile records none).
 */
export async function applyBudget(pool: pg.Pool, b: AppliedBudget): Promise<LimitChange[]> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(
      `insert into budgets (key, namespace, name, uid, timezone, week_starts_on, daily_limit_usd, weekly_limit_usd,
                            alert_threshold, generation, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
       on conflict (key) do update set uid = excluded.uid, timezone = excluded.timezone,
         week_starts_on = excluded.week_starts_on, daily_limit_usd = excluded.daily_limit_usd,
         weekly_limit_usd = excluded.weekly_limit_usd, alert_threshold = excluded.alert_threshold,
         generation = excluded.generation, updated_at = now()`,
      [
        b.key,
        b.namespace,
        b.name,
        b.uid ?? null,
        b.spec.timezone,
        b.spec.weekStartsOn,
        b.limits.dailyLimitUSD,
        b.limits.weeklyLimitUSD,
        b.spec.alertThreshold,
        b.generation,
      ],
    );
    const prints = b.limits.extensions.map((e) => e.fingerprint);
    await client.query('delete from budget_extensions where budget_key = $1 and not (fingerprint = any($2))', [
      b.key,
      prints,
    ]);
    for (const e of b.limits.extensions) {
      await client.query(
        `insert into budget_extensions (budget_key, fingerprint, scope, period_start, amount_usd, reason, granted_at)
         values ($1, $2, $3, $4, $5, $6, $7) on conflict (budget_key, fingerprint) do nothing`,
        [b.key, e.fingerprint, e.scope, e.periodStart, e.amountUSD, e.reason, e.grantedAt],
      );
    }
    const fresh: LimitChange[] = [];
    for (const c of b.changes) {
      const { rowCount } = await client.query(
        `insert into budget_changes (budget_key, generation, field, from_value, to_value, kind, changed_by, reason)
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (budget_key, generation, field) do nothing`,
        [b.key, b.generation, c.field, c.from, c.to, c.kind, b.changedBy ?? null, b.reason ?? null],
      );
      if (rowCount) fresh.push(c);
    }
    await client.query('select apply_budget_limits($1)', [b.key]);
    await client.query('commit');
    return fresh;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw new Error(`failed to record the limits of Budget ${b.key}: ${(error as Error).message}`, { cause: error });
  } finally {
    client.release();
  }
}

/** Claims the alert for this limit, period and kind; true only the first time (then the Event is sent). */
export async function claimAlert(pool: pg.Pool, key: string, r: LimitReached): Promise<boolean> {
  const { rows } = await pool.query(
    `with claimed as (
       insert into budget_alerts (budget_key, scope, period_start, kind, spent_usd, limit_usd, message)
       values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (budget_key, scope, period_start, kind) do nothing
       returning id)
     select id, pg_notify($8, id::text) from claimed`,
    [key, r.scope, r.periodStart, r.kind, r.spentUSD, r.limitUSD, r.message, NOTIFY_CHANNELS.budgetAlert],
  );
  return rows.length > 0;
}

const meanError = z.object({ error: numericColumn.nullable(), n: z.coerce.number().int() });

/** Mean absolute error of the estimates (p50) of finished stories that drew on this Budget. */
export async function meanEstimateError(pool: pg.Pool, key: string): Promise<{ errorUSD: number | null; n: number }> {
  const { rows } = await pool.query(
    `select avg(abs(actual_usd - p50_usd)) as error, count(*) as n from cost_estimates
      where $1 = any(budget_keys) and actual_usd is not null`,
    [key],
  );
  const parsed = meanError.parse(rows[0]);
  return { errorUSD: parsed.error, n: parsed.n };
}
