// How a Budget stands: what its day and week spent and hold in flight, what
// is left today, Ok / Warning / Exceeded, when the day resets, and where the
// spend rate so far would take each period by its end. Pure.
import type { BudgetUsage, PeriodUsage } from '@nightshift/crds/ledger';
import { elapsedFraction, PERIOD_SCOPES, type PeriodScope } from '@nightshift/crds/ledger';

export type BudgetStateName = 'Ok' | 'Warning' | 'Exceeded';

/** A limit reached in a period: what the alert (and its Event) says. */
export interface LimitReached {
  scope: PeriodScope;
  kind: 'Threshold' | 'Exceeded';
  periodStart: Date;
  spentUSD: number;
  limitUSD: number;
  message: string;
}

export interface BudgetStanding {
  spentTodayUSD: number;
  spentThisWeekUSD: number;
  reservedUSD: number;
  /** undefined without a daily limit. */
  remainingTodayUSD: number | undefined;
  state: BudgetStateName;
  periodResetsAt: Date;
  projectedTodayUSD: number;
  projectedWeekUSD: number;
  /** Every threshold and limit reached in the current periods (an alert each, once). */
  reached: LimitReached[];
  message: string;
}

export interface BudgetPolicy {
  /** Fraction of a limit that raises a warning (spec.alertThreshold). */
  alertThreshold: number;
  /** A period with less than this left counts as exhausted: no model call costs less. */
  exhaustedBelowUSD: number;
}

/** Projections need some of the period behind them: the first minutes extrapolate from at least this much. */
const MIN_ELAPSED_FRACTION = 1 / 1440;

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;
const usd = (n: number) => `$${n.toFixed(2)}`;
const label = (scope: PeriodScope) => (scope === 'daily' ? 'daily' : 'weekly');

/** Linear: the spend rate of the period so far, kept up until its end. */
export function projectedSpend(u: PeriodUsage, at: Date): number {
  const fraction = Math.max(elapsedFraction(u.period, at), MIN_ELAPSED_FRACTION);
  return round(u.spentUSD / fraction);
}

export function budgetState(usage: BudgetUsage, policy: BudgetPolicy, at: Date): BudgetStanding {
  const reached: LimitReached[] = [];
  for (const scope of PERIOD_SCOPES) {
    const u = usage[scope];
    if (u.limitUSD === null) continue;
    const base = { scope, periodStart: u.period.start, spentUSD: round(u.spentUSD), limitUSD: u.limitUSD };
    const exhausted = u.limitUSD - u.spentUSD < policy.exhaustedBelowUSD;
    if (exhausted || u.spentUSD >= policy.alertThreshold * u.limitUSD) {
      reached.push({
        ...base,
        kind: 'Threshold',
        message: `${label(scope)} spend ${usd(u.spentUSD)} reached ${Math.round(policy.alertThreshold * 100)} % of the ${label(scope)} limit ${usd(u.limitUSD)}`,
      });
    }
    if (exhausted) {
      reached.push({
        ...base,
        kind: 'Exceeded',
        message: `${label(scope)} limit ${usd(u.limitUSD)} reached (spent ${usd(u.spentUSD)}): nothing more runs until ${u.period.end.toISOString()}`,
      });
    }
  }
  const exceeded = reached.filter((r) => r.kind === 'Exceeded');
  const state: BudgetStateName = exceeded.length > 0 ? 'Exceeded' : reached.length > 0 ? 'Warning' : 'Ok';
  const { daily, weekly } = usage;
  const remaining =
    daily.limitUSD === null ? undefined : round(Math.max(0, daily.limitUSD - daily.spentUSD - daily.reservedUSD));
  const message =
    state === 'Ok'
      ? `within limits: ${usd(daily.spentUSD)} today, ${usd(weekly.spentUSD)} this week`
      : (exceeded[0] ?? reached[0]!).message;
  return {
    spentTodayUSD: round(daily.spentUSD),
    spentThisWeekUSD: round(weekly.spentUSD),
    // A call holds its worst case in the day and the week alike: count it once.
    reservedUSD: round(Math.max(daily.reservedUSD, weekly.reservedUSD)),
    remainingTodayUSD: remaining,
    state,
    periodResetsAt: daily.period.end,
    projectedTodayUSD: projectedSpend(daily, at),
    projectedWeekUSD: projectedSpend(weekly, at),
    reached,
    message,
  };
}
