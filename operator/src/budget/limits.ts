// Which limits a Budget enforces: its spec, except that a raise (a higher or
// removed limit, a new extension) needs the confirmation annotation
// nightshift.dev/confirm-increase to name it; until then the old limit holds
// and status.pendingIncrease says what waits. Lowering takes effect at once.
// Also which changes that makes, for the audit. Pure.
import { createHash } from 'node:crypto';
import type { BudgetSpec } from '@nightshift/crds';
import { confirmIncreaseValue } from '@nightshift/crds/contract';
import { periodOf, type PeriodCalendar, type PeriodScope } from '@nightshift/crds/ledger';

export interface ExtensionInForce {
  fingerprint: string;
  scope: PeriodScope;
  periodStart: Date;
  amountUSD: number;
  reason: string;
  grantedAt: Date;
}

/** What the ledger enforces (the budgets and budget_extensions rows). */
export interface LimitsInForce {
  dailyLimitUSD: number | null;
  weeklyLimitUSD: number | null;
  extensions: ExtensionInForce[];
}

export interface LimitChange {
  field: string;
  from: string | null;
  to: string | null;
  kind: 'Created' | 'Lowered' | 'Raised' | 'Changed';
}

export interface LimitsDecision {
  next: LimitsInForce;
  /** The confirmation token a raise waits for (the annotation's value), when one waits. */
  pendingIncrease?: string;
  /** What the raise would change, in words. */
  pendingMessage?: string;
  changes: LimitChange[];
}

export interface LimitsInput {
  spec: BudgetSpec;
  generation: number;
  /** The nightshift.dev/confirm-increase annotation. */
  confirmation: string | undefined;
  /** undefined: the Budget is new to the ledger, and its spec applies as it is. */
  inForce: LimitsInForce | undefined;
  calendar: PeriodCalendar;
  now: Date;
}

const show = (limit: number | null) => (limit === null ? 'unlimited' : String(limit));
const isRaise = (from: number | null, to: number | null) => from !== null && (to === null || to > from);

/** One fingerprint per spec entry (the n-th of identical entries gets #n), so an entry keeps its identity. */
export function extensionFingerprints(spec: BudgetSpec): string[] {
  const seen = new Map<string, number>();
  return spec.extensions.map((e) => {
    const hash = createHash('sha256')
      .update(JSON.stringify([e.amountUSD, e.period, e.reason, e.grantedAt ?? null]))
      .digest('hex')
      .slice(0, 16);
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return `${hash}#${n}`;
  });
}

export function decideLimits(input: LimitsInput): LimitsDecision {
  const { spec, inForce, calendar, now } = input;
  const desiredDaily = spec.dailyLimitUSD ?? null;
  const desiredWeekly = spec.weeklyLimitUSD ?? null;
  const fingerprints = extensionFingerprints(spec);
  const kept = new Map((inForce?.extensions ?? []).map((e) => [e.fingerprint, e]));
  const wanted = spec.extensions.map((e, i) => {
    const fingerprint = fingerprints[i]!;
    const existing = kept.get(fingerprint);
    if (existing) return existing;
    const scope: PeriodScope = e.period === 'ThisWeek' ? 'weekly' : 'daily';
    const grantedAt = e.grantedAt ? new Date(e.grantedAt) : now;
    return {
      fingerprint,
      scope,
      periodStart: periodOf(scope, grantedAt, calendar).start,
      amountUSD: e.amountUSD,
      reason: e.reason,
      grantedAt,
    };
  });

  if (!inForce) {
    const next = { dailyLimitUSD: desiredDaily, weeklyLimitUSD: desiredWeekly, extensions: wanted };
    const changes: LimitChange[] = [
      { field: 'dailyLimitUSD', from: null, to: show(desiredDaily), kind: 'Created' },
      { field: 'weeklyLimitUSD', from: null, to: show(desiredWeekly), kind: 'Created' },
      ...wanted.map((e) => extensionChange(e, 'Created')),
    ];
    return { next, changes };
  }

  const raises: string[] = []; // what is raised (the confirmation value names the whole spec)
  const words: string[] = [];
  const changes: LimitChange[] = [];
  const next: LimitsInForce = { ...inForce, extensions: [] };
  for (const [field, from, to] of [
    ['dailyLimitUSD', inForce.dailyLimitUSD, desiredDaily],
    ['weeklyLimitUSD', inForce.weeklyLimitUSD, desiredWeekly],
  ] as const) {
    if (from === to) continue;
    if (isRaise(from, to)) {
      raises.push(`${field}=${show(to)}`);
      words.push(`${field} ${show(from)} → ${show(to)}`);
    } else {
      next[field] = to;
      changes.push({ field, from: show(from), to: show(to), kind: 'Lowered' });
    }
  }
  const added = wanted.filter((e) => !kept.has(e.fingerprint) && e.amountUSD > 0);
  const wantedPrints = new Set(wanted.map((e) => e.fingerprint));
  for (const e of inForce.extensions) {
    if (wantedPrints.has(e.fingerprint)) next.extensions.push(e);
    else changes.push({ ...extensionChange(e, 'Lowered'), from: `$${e.amountUSD}`, to: null });
  }
  // Zero-dollar extensions raise nothing: they apply at once.
  for (const e of wanted) if (!kept.has(e.fingerprint) && e.amountUSD === 0) next.extensions.push(e);
  if (added.length > 0) {
    const total = added.reduce((sum, e) => sum + e.amountUSD, 0);
    raises.push(`extensionsUSD=${Math.round(total * 1e6) / 1e6}`);
    words.push(`${added.length} extension(s) adding $${total} (${added.map((e) => e.reason).join('; ')})`);
  }
  if (raises.length === 0) return { next, changes };

  const token = confirmIncreaseValue(spec, input.generation);
  if (input.confirmation !== token) {
    return { next, changes, pendingIncrease: token, pendingMessage: words.join(', ') };
  }
  if (desiredDaily !== inForce.dailyLimitUSD && isRaise(inForce.dailyLimitUSD, desiredDaily)) {
    next.dailyLimitUSD = desiredDaily;
    changes.push({ field: 'dailyLimitUSD', from: show(inForce.dailyLimitUSD), to: show(desiredDaily), kind: 'Raised' });
  }
  if (desiredWeekly !== inForce.weeklyLimitUSD && isRaise(inForce.weeklyLimitUSD, desiredWeekly)) {
    next.weeklyLimitUSD = desiredWeekly;
    changes.push({
      field: 'weeklyLimitUSD',
      from: show(inForce.weeklyLimitUSD),
      to: show(desiredWeekly),
      kind: 'Raised',
    });
  }
  for (const e of added) {
    next.extensions.push(e);
    changes.push(extensionChange(e, 'Raised'));
  }
  return { next, changes };
}

function extensionChange(e: ExtensionInForce, kind: LimitChange['kind']): LimitChange {
  return {
    field: `extension:${e.fingerprint}`,
    from: null,
    to: `$${e.amountUSD} for the ${e.scope === 'daily' ? 'day' : 'week'} of ${e.periodStart.toISOString()}: ${e.reason}`,
    kind,
  };
}
