import assert from 'node:assert/strict';
import { periodsOf } from '@nightshift/crds/ledger';
import { budgetConditions, calendarChangesOf } from './conditions.ts';
import { budgetState } from './state.ts';

const AT = new Date('2026-11-25T12:00:00Z');
const { daily, weekly } = periodsOf(AT, { timezone: 'UTC', weekStartsOn: 'Monday' });
const standing = (spent: number) =>
  budgetState(
    {
      daily: { period: daily, limitUSD: 1, spentUSD: spent, reservedUSD: 0 },
      weekly: { period: weekly, limitUSD: null, spentUSD: spent, reservedUSD: 0 },
    },
    { alertThreshold: 0.8, exhaustedBelowUSD: 0.01 },
    AT,
  );
const of = (conditions: { type: string; status: string; reason: string; message: string }[], type: string) =>
  conditions.find((c) => c.type === type)!;

describe('budgetConditions', () => {
  const table: { spent: number; pending?: string; exceeded: string; warning: string; increase: string }[] = [
    { spent: 0.1, exceeded: 'False/WithinLimits', warning: 'False/BelowThreshold', increase: 'False/NothingPending' },
    {
      spent: 0.85,
      exceeded: 'False/WithinLimits',
      warning: 'True/DailyThresholdReached',
      increase: 'False/NothingPending',
    },
    {
      spent: 1,
      exceeded: 'True/DailyLimitReached',
      warning: 'True/DailyThresholdReached',
      increase: 'False/NothingPending',
    },
    {
      spent: 0.1,
      pending: 'dailyLimitUSD=2,weeklyLimitUSD=none,extensions=0@3',
      exceeded: 'False/WithinLimits',
      warning: 'False/BelowThreshold',
      increase: 'True/ConfirmationRequired',
    },
  ];
  for (const row of table) {
    it(`spent ${row.spent}${row.pending ? ', a raise pending' : ''}`, () => {
      const conditions = budgetConditions(
        undefined,
        standing(row.spent),
        row.pending ? { pendingIncrease: row.pending, pendingMessage: 'dailyLimitUSD 1 → 2' } : {},
        3,
        AT,
      );
      const show = (type: string) => `${of(conditions, type).status}/${of(conditions, type).reason}`;
      assert.deepEqual(
        [show('Exceeded'), show('Warning'), show('IncreasePending'), show('Valid')],
        [row.exceeded, row.warning, row.increase, 'True/Valid'],
      );
      if (row.pending)
        assert.match(
          of(conditions, 'IncreasePending').message,
          /confirm-increase=dailyLimitUSD=2,weeklyLimitUSD=none,extensions=0@3/,
        );
      assert.ok(conditions.every((c) => c.observedGeneration === 3));
    });
  }

  it('records changed calendar fields', () => {
    const spec = { timezone: 'Asia/Tokyo', weekStartsOn: 'Monday', alertThreshold: 0.8 } as never;
    assert.deepEqual(
      calendarChangesOf({ timezone: 'UTC', week_starts_on: 'Monday', alert_threshold: 0.8 }, spec).map((c) => c.field),
      ['timezone'],
    );
  });
});
