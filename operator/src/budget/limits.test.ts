import assert from 'node:assert/strict';
import { budgetSpecSchema } from '@nightshift/crds';
import { decideLimits, type LimitsInForce } from './limits.ts';

const NOW = new Date('2026-11-25T12:00:00Z');
const calendar = { timezone: 'Europe/Berlin', weekStartsOn: 'Monday' as const };
const spec = (s: Record<string, unknown>) => budgetSpecSchema.parse({ timezone: 'Europe/Berlin', ...s });
const inForce = (daily: number | null, weekly: number | null = null): LimitsInForce => ({
  dailyLimitUSD: daily,
  weeklyLimitUSD: weekly,
  extensions: [],
});
const decide = (s: Record<string, unknown>, force: LimitsInForce | undefined, confirmation?: string) =>
  decideLimits({ spec: spec(s), generation: 7, confirmation, inForce: force, calendar, now: NOW });

describe('decideLimits', () => {
  it('applies a new Budget as it is', () => {
    const d = decide({ dailyLimitUSD: 25, weeklyLimitUSD: 100 }, undefined);
    assert.deepEqual([d.next.dailyLimitUSD, d.next.weeklyLimitUSD, d.pendingIncrease], [25, 100, undefined]);
    assert.deepEqual(
      d.changes.map((c) => c.kind),
      ['Created', 'Created'],
    );
  });

  const table: {
    what: string;
    spec: Record<string, unknown>;
    force: LimitsInForce;
    confirmation?: string;
    daily: number | null;
    weekly: number | null;
    pending?: string;
    kinds: string[];
  }[] = [
    {
      what: 'lowering is immediate',
      spec: { dailyLimitUSD: 10 },
      force: inForce(25),
      daily: 10,
      weekly: null,
      kinds: ['Lowered'],
    },
    {
      what: 'adding a limit is a lowering',
      spec: { dailyLimitUSD: 25, weeklyLimitUSD: 80 },
      force: inForce(25),
      daily: 25,
      weekly: 80,
      kinds: ['Lowered'],
    },
    {
      what: 'a raise without confirmation waits; the old limit holds',
      spec: { dailyLimitUSD: 50 },
      force: inForce(25),
      daily: 25,
      weekly: null,
      pending: 'dailyLimitUSD=50,weeklyLimitUSD=none,extensions=0@7',
      kinds: [],
    },
    {
      what: 'a raise confirmed with the wrong value waits',
      spec: { dailyLimitUSD: 50 },
      force: inForce(25),
      confirmation: 'dailyLimitUSD=40,weeklyLimitUSD=none,extensions=0@7',
      daily: 25,
      weekly: null,
      pending: 'dailyLimitUSD=50,weeklyLimitUSD=none,extensions=0@7',
      kinds: [],
    },
    {
      what: 'a confirmation of an earlier generation does not confirm this one',
      spec: { dailyLimitUSD: 50 },
      force: inForce(25),
      confirmation: 'dailyLimitUSD=50,weeklyLimitUSD=none,extensions=0@6',
      daily: 25,
      weekly: null,
      pending: 'dailyLimitUSD=50,weeklyLimitUSD=none,extensions=0@7',
      kinds: [],
    },
    {
      what: 'a confirmed raise applies',
      spec: { dailyLimitUSD: 50 },
      force: inForce(25),
      confirmation: 'dailyLimitUSD=50,weeklyLimitUSD=none,extensions=0@7',
      daily: 50,
      weekly: null,
      kinds: ['Raised'],
    },
    {
      what: 'removing a limit is a raise',
      spec: {},
      force: inForce(25),
      daily: 25,
      weekly: null,
      pending: 'dailyLimitUSD=none,weeklyLimitUSD=none,extensions=0@7',
      kinds: [],
    },
    {
      what: 'a lowering applies while a raise of the other limit waits',
      spec: { dailyLimitUSD: 10, weeklyLimitUSD: 200 },
      force: inForce(25, 100),
      daily: 10,
      weekly: 100,
      pending: 'dailyLimitUSD=10,weeklyLimitUSD=200,extensions=0@7',
      kinds: ['Lowered'],
    },
  ];
  for (const row of table) {
    it(row.what, () => {
      const d = decide(row.spec, row.force, row.confirmation);
      assert.equal(d.next.dailyLimitUSD, row.daily);
      assert.equal(d.next.weeklyLimitUSD, row.weekly);
      assert.equal(d.pendingIncrease, row.pending);
      assert.deepEqual(
        d.changes.map((c) => c.kind),
        row.kinds,
      );
    });
  }

  it('an extension needs confirmation, applies to the period containing grantedAt, and removing it is immediate', () => {
    const ext = { amountUSD: 10, period: 'Today', reason: 'release day', grantedAt: '2026-11-25T23:30:00Z' };
    const waiting = decide({ dailyLimitUSD: 25, extensions: [ext] }, inForce(25));
    assert.equal(waiting.pendingIncrease, 'dailyLimitUSD=25,weeklyLimitUSD=none,extensions=1@7');
    assert.match(waiting.pendingMessage!, /release day/);
    assert.deepEqual(waiting.next.extensions, []);
    const applied = decide(
      { dailyLimitUSD: 25, extensions: [ext] },
      inForce(25),
      'dailyLimitUSD=25,weeklyLimitUSD=none,extensions=1@7',
    );
    assert.equal(applied.next.extensions.length, 1);
    // 23:30 UTC is already the 26th in Berlin.
    assert.equal(applied.next.extensions[0]!.periodStart.toISOString(), '2026-11-25T23:00:00.000Z');
    assert.equal(applied.next.extensions[0]!.scope, 'daily');
    const again = decide({ dailyLimitUSD: 25, extensions: [ext] }, applied.next);
    assert.equal(again.pendingIncrease, undefined, 'an extension in force stays without a new confirmation');
    assert.deepEqual(again.changes, []);
    const removed = decide({ dailyLimitUSD: 25 }, applied.next);
    assert.deepEqual(removed.next.extensions, []);
    assert.deepEqual(
      removed.changes.map((c) => c.kind),
      ['Lowered'],
    );
  });
});
