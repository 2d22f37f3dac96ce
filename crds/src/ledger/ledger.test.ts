// The ledger against a real Postgres: one reservation covers the story cap
// and every Budget window at once; parallel callers with random call sizes
// never take a window past its limit; a boundary moves the next reservation
// into the new period's window (DST included); a dead holder's reservation
// is charged at its worst case, as unconfirmed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { testDatabase } from '../../../hack/test/harness.ts';
import { BudgetLedger, expireReservations, type ReserveResult } from './ledger.ts';
import { readBudgetUsage } from './usage.ts';

describe('budget ledger (Postgres)', function () {
  let pool: pg.Pool;
  before(
    async () =>
      (pool = new pg.Pool({
        connectionString: await testDatabase('ledger'),
        max: 12,
        options: '-c search_path=autonomous,public',
      })),
  );
  after(() => pool?.end());

  async function budget(
    key: string,
    limits: { daily?: number | null; weekly?: number | null },
    timezone = 'UTC',
  ): Promise<string> {
    const [namespace, name] = key.split('/');
    await pool.query(
      `insert into budgets (key, namespace, name, timezone, week_starts_on, daily_limit_usd, weekly_limit_usd)
       values ($1, $2, $3, $4, 'Monday', $5, $6)`,
      [key, namespace, name, timezone, limits.daily ?? null, limits.weekly ?? null],
    );
    return key;
  }
  async function attempt(storyUid: string, n = 1): Promise<string> {
    const id = randomUUID();
    await pool.query(
      `insert into execution_sessions (id, story_uid, namespace, name, story_id, attempt, pod_name)
       values ($1, $2, 'ns', 'story', 'S-1', $3, $4)`,
      [id, storyUid, n, `story-${n}`],
    );
    return id;
  }
  async function ledger(budgetKeys: string[], cap?: number, now?: () => Date, storyUid = randomUUID(), n = 1) {
    const l = new BudgetLedger(pool, {
      storyUid,
      sessionId: await attempt(storyUid, n),
      ttlSeconds: 900,
      budgetKeys,
      ...(now ? { now } : {}),
    });
    await l.open(cap);
    return l;
  }
  const idOf = (r: ReserveResult) => ('id' in r ? r.id : assert.fail(`refused: ${r.refused.message}`));

  it('reserves against the story cap, the day and the week at once, and names the window that refuses', async () => {
    const key = await budget('a/team', { daily: 1, weekly: 1.5 });
    const one = await ledger([key], 10);
    await one.settle(idOf(await one.reserve(0.6, 'call')), 0.5);
    const other = await ledger([key], 0.4);
    const refusedByCap = await other.reserve(0.45, 'too big for its cap');
    assert.ok('refused' in refusedByCap && refusedByCap.refused.scope === 'story', 'the story cap refuses first');
    const refusedByDay = await one.reserve(0.51, 'too big for the day');
    assert.ok('refused' in refusedByDay);
    assert.equal(refusedByDay.refused.scope, 'daily');
    assert.match(refusedByDay.refused.message, /Budget a\/team's daily limit \$1\.000000 \(spent \$0\.500000/);
    const fits = await other.reserve(0.4, 'fits both');
    assert.ok('id' in fits);
    const windows = await one.windows();
    assert.deepEqual(
      windows.map((w) => [w.scope, w.spentUSD, w.reservedUSD]),
      [
        ['story', 0.5, 0],
        ['daily', 0.5, 0.4],
        ['weekly', 0.5, 0.4],
      ],
    );
  });

  it('property: parallel callers with random call sizes never take any window past its limit, and leave nothing reserved', async () => {
    for (let trial = 0; trial < 20; trial++) {
      const limit = 0.2 + Math.random() * 2;
      const key = await budget(`p/trial-${trial}`, { daily: limit, weekly: limit * 1.3 });
      const ledgers = await Promise.all(Array.from({ length: 8 }, () => ledger([key], 1 + Math.random())));
      await Promise.all(
        ledgers.map(async (l) => {
          for (let refusals = 0; refusals < 3;) {
            const worst = Math.random() * 0.3;
            const r = await l.reserve(worst, 'random call');
            if ('refused' in r) {
              refusals++;
              continue;
            }
            await l.settle(r.id, Math.random() < 0.1 ? null : worst * Math.random());
          }
        }),
      );
      const { rows } = await pool.query(
        `select scope, scope_key, limit_usd::float8 as limit, spent_usd::float8 as spent, reserved_usd::float8 as reserved
           from budget_windows where scope_key = $1 or scope_key = any($2)`,
        [key, ledgers.map((l) => (l as unknown as { options: { storyUid: string } }).options.storyUid)],
      );
      for (const w of rows) {
        assert.ok(w.spent <= w.limit + 1e-9, `trial ${trial}: ${w.scope} ${w.scope_key} spent ${w.spent} > ${w.limit}`);
        assert.equal(w.reserved, 0, `trial ${trial}: nothing left reserved in ${w.scope}`);
      }
      const usage = await readBudgetUsage(pool, key, { timezone: 'UTC', weekStartsOn: 'Monday' }, new Date());
      assert.ok(usage.daily.spentUSD > 0, `trial ${trial}: something was spent`);
    }
  });

  it('moves the next reservation into the new period when a boundary passes mid-story, across a DST change in two zones', async () => {
    for (const [zone, before, after, dayHours] of [
      ['Europe/Berlin', '2026-03-29T21:59:59Z', '2026-03-29T22:00:01Z', 23],
      ['America/New_York', '2026-11-02T04:59:59Z', '2026-11-02T05:00:01Z', 25],
    ] as const) {
      const key = await budget(`tz/${zone.replace('/', '-').toLowerCase()}`, { daily: 1, weekly: 10 }, zone);
      let clock = new Date(before);
      const l = await ledger([key], undefined, () => clock);
      await l.settle(idOf(await l.reserve(0.9, 'late call')), 0.9);
      assert.ok('refused' in (await l.reserve(0.2, 'over the day')), `${zone}: the day is nearly spent`);
      const [, oldDay] = await l.windows();
      assert.equal((oldDay!.periodEnd!.getTime() - new Date(before).getTime()) / 1000, 1, `${zone}: ends at midnight`);
      clock = new Date(after);
      await l.settle(idOf(await l.reserve(0.2, 'first call of the new day')), 0.2);
      const [, newDay] = await l.windows();
      assert.notEqual(newDay!.id, oldDay!.id, `${zone}: a new daily window`);
      assert.equal(newDay!.spentUSD, 0.2);
      const hours = (newDay!.periodEnd!.getTime() - oldDay!.periodEnd!.getTime()) / 3_600_000;
      assert.equal(hours, 24, `${zone}: the next day is an ordinary one`);
      const { rows } = await pool.query(
        `select extract(epoch from period_end - period_start) / 3600 as hours from budget_windows where id = $1`,
        [oldDay!.id],
      );
      assert.equal(Number(rows[0].hours), dayHours, `${zone}: the day of the change lasts ${dayHours} h`);
    }
  });

  it('adds an extension to its own period only', async () => {
    const key = await budget('x/ext', { daily: 1 });
    const at = new Date('2026-11-25T10:00:00Z');
    const l = await ledger([key], undefined, () => at);
    await pool.query(
      `insert into budget_extensions (budget_key, fingerprint, scope, period_start, amount_usd, reason, granted_at)
       values ($1, 'f1', 'daily', '2026-11-25T00:00:00Z', 0.5, 'release day', now()),
              ($1, 'f2', 'daily', '2026-11-24T00:00:00Z', 5, 'yesterday', now())`,
      [key],
    );
    assert.ok('id' in (await l.reserve(1.4, 'fits the extended day')));
  });

  it('charges a dead holder at its worst case, as unconfirmed: at once for an earlier attempt, after its TTL otherwise', async () => {
    const key = await budget('d/dead', { daily: 5 });
    const story = randomUUID();
    const dead = await ledger([key], 2, undefined, story, 1);
    const held = idOf(await dead.reserve(0.8, 'a call cut by kill -9'));
    const neighbour = await ledger([key], 2);
    const running = idOf(await neighbour.reserve(0.4, 'a call of another story, still running'));
    const resumedSession = await attempt(story, 2);
    const resumed = new BudgetLedger(pool, {
      storyUid: story,
      sessionId: resumedSession,
      ttlSeconds: 900,
      budgetKeys: [key],
    });
    assert.deepEqual(await resumed.open(2), { abandoned: 1, expired: 0 });
    const states = await pool.query('select state, actual_usd::float8 as actual from cost_reservations where id = $1', [
      held,
    ]);
    assert.deepEqual(states.rows[0], { state: 'unconfirmed', actual: 0.8 });
    assert.equal(await dead.settle(held, 0.1), false, 'a late settle does not change the charge');
    assert.equal(await neighbour.settle(running, 0.4), true, "another story's reservation was left alone");
    assert.equal(await resumed.settledTotal(), 0.8);

    const other = await ledger([key], 2);
    const short = idOf(await other.reserve(0.3, 'short TTL', 1));
    await new Promise((r) => setTimeout(r, 1100));
    assert.ok((await expireReservations(pool)) >= 1);
    const [story2, daily] = await other.windows();
    assert.deepEqual([story2!.spentUSD, story2!.reservedUSD], [0.3, 0]);
    assert.equal(daily!.spentUSD, 1.5, 'the Budget was charged both worst cases and the settled call');
    const row = await pool.query('select state from cost_reservations where id = $1', [short]);
    assert.equal(row.rows[0].state, 'unconfirmed');
  });

  it('refuses a Budget the ledger does not know, naming it', async () => {
    const l = await ledger(['nowhere/missing'], 1);
    const r = await l.reserve(0.01, 'call');
    assert.ok('refused' in r);
    assert.match(r.refused.message, /Budget nowhere\/missing is not known to the ledger/);
  });
});
