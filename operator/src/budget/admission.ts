// The Budget side of admission: a story may start only while every Budget it
// draws on (its queue's and its own budgetRef) is not exhausted, and while
// its p50 cost estimate fits what remains of the day and the week — rather
// than starting and pausing at its first refused call. budgetVerdict decides
// (pure); budgetCheck reads the ledger and the estimate for it.
import type pg from 'pg';
import type { StoryRun } from '@nightshift/crds';
import { budgetKey } from '@nightshift/crds/contract';
import { readBudgetUsage, remainingOf, type BudgetUsage } from '@nightshift/crds/ledger';
import { readBudget } from '../records/budgets.ts';
import { budgetState, type BudgetPolicy } from './state.ts';

export interface BudgetCheckResult {
  open: boolean;
  reason?: 'BudgetExceeded' | 'EstimateExceedsBudget';
  message?: string;
}

/** What WorkQueue admission asks (operator/src/admission/budget-check.ts names the same shape). */
export type BudgetCheck = (
  queue: { namespace: string; budgetRef?: string },
  story: StoryRun,
) => Promise<BudgetCheckResult>;

export interface BudgetView {
  key: string;
  /** undefined: the ledger does not know the Budget (it does not exist, or was never reconciled). */
  usage: BudgetUsage | undefined;
  alertThreshold: number;
}

const usd = (n: number) => `$${n.toFixed(2)}`;

export function budgetVerdict(
  budgets: BudgetView[],
  estimateP50USD: number | undefined,
  policy: Pick<BudgetPolicy, 'exhaustedBelowUSD'>,
  at: Date,
): BudgetCheckResult {
  for (const b of budgets) {
    if (!b.usage) {
      return {
        open: false,
        reason: 'BudgetExceeded',
        message: `Budget ${b.key} is not known to the ledger: create it (or wait for the operator to see it)`,
      };
    }
    const standing = budgetState(b.usage, { alertThreshold: b.alertThreshold, ...policy }, at);
    if (standing.state === 'Exceeded') {
      return { open: false, reason: 'BudgetExceeded', message: `Budget ${b.key}: ${standing.message}` };
    }
  }
  if (estimateP50USD !== undefined) {
    for (const b of budgets) {
      for (const u of [b.usage!.daily, b.usage!.weekly]) {
        const left = remainingOf(u);
        if (estimateP50USD > left) {
          return {
            open: false,
            reason: 'EstimateExceedsBudget',
            message:
              `its estimate ${usd(estimateP50USD)} (p50) exceeds what Budget ${b.key} has left ` +
              `${u.period.scope === 'daily' ? 'today' : 'this week'} (${usd(left)}); waiting until ${u.period.end.toISOString()}`,
          };
        }
      }
    }
  }
  return { open: true };
}

export interface BudgetCheckDeps {
  pool: pg.Pool;
  policy: Pick<BudgetPolicy, 'exhaustedBelowUSD'>;
  /** The story's p50 estimate (made and recorded once). */
  estimateOf: (story: StoryRun, budgetKeys: string[]) => Promise<number | undefined>;
  now?: () => Date;
}

/** The Budget keys a story draws on: its queue's budgetRef and its own. */
export function budgetKeysOf(namespace: string, refs: (string | undefined)[]): string[] {
  return [...new Set(refs.filter((r): r is string => Boolean(r)).map((r) => budgetKey(namespace, r)))];
}

export async function readBudgetViews(pool: pg.Pool, keys: string[], at: Date): Promise<BudgetView[]> {
  return Promise.all(
    keys.map(async (key) => {
      const record = await readBudget(pool, key);
      if (!record) return { key, usage: undefined, alertThreshold: 0.8 };
      const calendar = { timezone: record.row.timezone, weekStartsOn: record.row.week_starts_on };
      return { key, usage: await readBudgetUsage(pool, key, calendar, at), alertThreshold: record.row.alert_threshold };
    }),
  );
}

export function budgetCheck(deps: BudgetCheckDeps): BudgetCheck {
  const now = deps.now ?? (() => new Date());
  return async (queue, story) => {
    const keys = budgetKeysOf(queue.namespace, [queue.budgetRef, story.spec.budgetRef]);
    if (keys.length === 0) return { open: true };
    const at = now();
    const views = await readBudgetViews(deps.pool, keys, at);
    return budgetVerdict(views, await deps.estimateOf(story, keys), deps.policy, at);
  };
}
