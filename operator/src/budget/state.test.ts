import assert from 'node:assert/strict';
import { periodsOf, type BudgetUsage } from '@nightshift/crds/ledger';
import { budgetState, projectedSpend } from './state.ts';

const AT = new Date('2026-11-25T12:00:00Z'); // noon in UTC: half the day, a third of the week (Monday start)
function usage(
  daily: [number | null, number, number?],
  weekly: [number | null, number, number?] = [null, daily[1]],
): BudgetUsage {
  const { daily: d, weekly: w } = periodsOf(AT, { timezone: 'UTC', weekStartsOn: 'Monday' });
  return {
    daily: { period: d, limitUSD: daily[0], spentUSD: daily[1], reservedUSD: daily[2] ?? 0 },
    weekly: { period: w, limitUSD: weekly[0], spentUSD: weekly[1], reservedUSD: weekly[2] ?? 0 },
  };
}
const policy = { alertThreshold: 0.8, exhaustedBelowUSD: 0.01 };

describe('budgetState', () => {
  const table: { what: string; usage: BudgetUsage; state: string; reached: string[]; remaining?: number }[] = [
    { what: 'well within', usage: usage([10, 2]), state: 'Ok', reached: [], remaining: 8 },
    { what: 'no limits at all', usage: usage([null, 50]), state: 'Ok', reached: [] },
    { what: '80 % of the day', usage: usage([10, 8]), state: 'Warning', reached: ['daily:Threshold'], remaining: 2 },
    { what: 'in flight does not warn', usage: usage([10, 7, 2.5]), state: 'Ok', reached: [], remaining: 0.5 },
    {
      what: 'the day spent to within a cent',
      usage: usage([1, 0.995]),
      state: 'Exceeded',
      reached: ['daily:Threshold', 'daily:Exceeded'],
      remaining: 0.005,
    },
    {
      what: 'the week exceeded while the day is fine',
      usage: usage([10, 1], [20, 20]),
      state: 'Exceeded',
      reached: ['weekly:Threshold', 'weekly:Exceeded'],
      remaining: 9,
    },
    {
      what: 'a zero limit is exceeded at once',
      usage: usage([0, 0]),
      state: 'Exceeded',
      reached: ['daily:Threshold', 'daily:Exceeded'],
      remaining: 0,
    },
  ];
  for (const row of table) {
    it(row.what, () => {
      const s = budgetState(row.usage, policy, AT);
      assert.equal(s.state, row.state);
      assert.deepEqual(
        s.reached.map((r) => `${r.scope}:${r.kind}`),
        row.reached,
      );
      assert.equal(s.remainingTodayUSD, row.remaining);
      assert.equal(s.periodResetsAt.toISOString(), '2026-11-26T00:00:00.000Z');
    });
  }

  it('projects the spend rate so far to the end of each period', () => {
    const s = budgetState(usage([10, 3], [50, 6]), policy, AT);
    assert.equal(s.projectedTodayUSD, 6, 'half the day gone: twice what was spent');
    assert.equal(s.projectedWeekUSD, 16.8, '2.5 of 7 days gone');
    const start = usage([10, 0.01]);
    assert.equal(projectedSpend(start.daily, start.daily.period.start), 14.4, 'the first minute extrapolates from one');
  });

  it('counts a reservation once although it holds the day and the week', () => {
    assert.equal(budgetState(usage([10, 1, 0.5], [50, 1, 0.5]), policy, AT).reservedUSD, 0.5);
  });
});
