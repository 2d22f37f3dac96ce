import assert from 'node:assert/strict';
import { periodsOf } from '@nightshift/crds/ledger';
import { budgetKeysOf, budgetVerdict, type BudgetView } from './admission.ts';

const AT = new Date('2026-11-25T12:00:00Z');
const view = (
  key: string,
  daily: [number | null, number, number?],
  weekly: [number | null, number] = [null, 0],
): BudgetView => {
  const p = periodsOf(AT, { timezone: 'UTC', weekStartsOn: 'Monday' });
  return {
    key,
    alertThreshold: 0.8,
    usage: {
      daily: { period: p.daily, limitUSD: daily[0], spentUSD: daily[1], reservedUSD: daily[2] ?? 0 },
      weekly: { period: p.weekly, limitUSD: weekly[0], spentUSD: weekly[1], reservedUSD: 0 },
    },
  };
};
const policy = { exhaustedBelowUSD: 0.01 };

describe('budgetVerdict', () => {
  const table: {
    what: string;
    budgets: BudgetView[];
    estimate?: number;
    open: boolean;
    reason?: string;
    message?: RegExp;
  }[] = [
    { what: 'no budgets: open', budgets: [], open: true },
    { what: 'room and a small estimate: open', budgets: [view('ns/a', [10, 2])], estimate: 1, open: true },
    { what: 'at the warning threshold still admits', budgets: [view('ns/a', [10, 8.5])], estimate: 1, open: true },
    {
      what: 'exhausted: admits nothing',
      budgets: [view('ns/a', [1, 0.999])],
      open: false,
      reason: 'BudgetExceeded',
      message: /Budget ns\/a: daily limit \$1\.00 reached/,
    },
    {
      what: 'the week exhausted while the day has room',
      budgets: [view('ns/a', [10, 1], [5, 5])],
      open: false,
      reason: 'BudgetExceeded',
      message: /weekly limit/,
    },
    {
      what: 'the estimate exceeds what is left today (in flight counts)',
      budgets: [view('ns/a', [10, 7, 1.5])],
      estimate: 2,
      open: false,
      reason: 'EstimateExceedsBudget',
      message:
        /\$2\.00 \(p50\) exceeds what Budget ns\/a has left today \(\$1\.50\); waiting until 2026-11-26T00:00:00\.000Z/,
    },
    {
      what: 'the second Budget (the story own) can close it too',
      budgets: [view('ns/q', [100, 0]), view('ns/s', [1, 1])],
      open: false,
      reason: 'BudgetExceeded',
      message: /ns\/s/,
    },
    {
      what: 'an unknown Budget closes it, named',
      budgets: [{ key: 'ns/gone', usage: undefined, alertThreshold: 0.8 }],
      open: false,
      message: /ns\/gone is not known/,
    },
  ];
  for (const row of table) {
    it(row.what, () => {
      const v = budgetVerdict(row.budgets, row.estimate, policy, AT);
      assert.equal(v.open, row.open);
      assert.equal(v.reason, row.reason ?? (row.open ? undefined : v.reason));
      if (row.message) assert.match(v.message!, row.message);
    });
  }

  it("names a story's Budgets once each: its queue's and its own", () => {
    assert.deepEqual(budgetKeysOf('ns', ['team', undefined, 'team', 'mine']), ['ns/team', 'ns/mine']);
  });
});
