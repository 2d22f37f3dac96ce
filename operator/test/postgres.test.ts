// The Postgres schema on a real server: migrations apply once (and twice is
// a no-op), idempotency keys make double writes impossible, the event log is
// append-only, and the cost ledger never lets reservations pass a limit.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createPool, migrate } from '@nightshift/operator/postgres';
import { testDatabase } from '../../hack/test/harness.ts';

describe('Postgres schema', function () {
  let url: string;
  let pool: pg.Pool;

  before(async function () {
    this.timeout(120_000);
    url = await testDatabase('schema');
    pool = createPool(url, { applicationName: 'schema-test', max: 20 });
  });
  after(() => pool.end());

  /** A story's cost window with a limit; returns its id. */
  const storyWindow = async (story: string, limitUSD: number): Promise<number> =>
    (
      await pool.query(
        `insert into budget_windows (scope, scope_key, limit_usd) values ('story', $1, $2) returning id`,
        [story, limitUSD],
      )
    ).rows[0].id;

  const schemaSnapshot = async () =>
    (
      await pool.query(
        `select table_name, column_name, data_type from information_schema.columns
          where table_schema = 'autonomous' order by table_name, ordinal_position`,
      )
    ).rows;

  it('applies every migration once; running them again changes nothing', async () => {
    const before = await schemaSnapshot();
    const tables = new Set(before.map((r) => r.table_name));
    for (const t of [
      'daemon_runs',
      'execution_sessions',
      'execution_events',
      'work_queue',
      'queue_config',
      'decision_queue',
      'budget_windows',
      'cost_reservations',
      'pr_review_queue',
    ]) {
      assert.ok(tables.has(t), `table ${t} exists`);
    }
    const again = await Promise.all([migrate(url), migrate(url)]); // concurrently, under the advisory lock
    assert.deepEqual(
      again.map((r) => r.applied),
      [[], []],
    );
    assert.deepEqual(await schemaSnapshot(), before);
  });

  it('writes an event once per idempotency key', async () => {
    const story = randomUUID();
    const insert = () =>
      pool.query(
        `insert into execution_events (story_uid, source, type, idempotency_key) values ($1, 'operator', 'PhaseChanged', $2)
         on conflict (idempotency_key) do nothing`,
        [story, `${story}:phase:Running`],
      );
    await insert();
    await insert();
    const { rows } = await pool.query('select count(*)::int as n from execution_events where story_uid = $1', [story]);
    assert.equal(rows[0].n, 1);
  });

  it('refuses to rewrite history', async () => {
    await assert.rejects(pool.query(`update execution_events set message = 'rewritten'`), /append-only/);
  });

  it('never reserves past a limit, even with many callers at once', async () => {
    const story = randomUUID();
    const windowId = await storyWindow(story, 1.0);
    const attempts = await Promise.all(
      Array.from({ length: 40 }, () =>
        pool.query(`select reserve_cost($1, $2, null, $3, 0.07, '10 minutes', 'test') as ok`, [
          randomUUID(),
          story,
          [windowId],
        ]),
      ),
    );
    const granted = attempts.filter((r) => r.rows[0].ok).length;
    assert.equal(granted, 14, '14 × 0.07 = 0.98 fits under 1.00; a 15th would not');
    const window = (await pool.query('select spent_usd, reserved_usd from budget_windows where id = $1', [windowId]))
      .rows[0];
    assert.equal(Number(window.reserved_usd), 0.98);
  });

  it('settles a reservation to its real cost exactly once', async () => {
    const story = randomUUID();
    const windowId = await storyWindow(story, 1);
    const reservation = randomUUID();
    await pool.query(`select reserve_cost($1, $2, null, $3, 0.5, '10 minutes', 'test')`, [
      reservation,
      story,
      [windowId],
    ]);
    await pool.query('select settle_cost($1, 0.12)', [reservation]);
    await pool.query('select settle_cost($1, 0.12)', [reservation]);
    const window = (await pool.query('select spent_usd, reserved_usd from budget_windows where id = $1', [windowId]))
      .rows[0];
    assert.deepEqual([Number(window.spent_usd), Number(window.reserved_usd)], [0.12, 0]);
  });

  it('releases the reservations of a holder that died', async () => {
    const story = randomUUID();
    const windowId = await storyWindow(story, 1);
    await pool.query(`select reserve_cost($1, $2, null, $3, 0.9, '-1 second', 'test')`, [
      randomUUID(),
      story,
      [windowId],
    ]);
    await pool.query('select expire_cost_reservations()');
    const window = (await pool.query('select reserved_usd from budget_windows where id = $1', [windowId])).rows[0];
    assert.equal(Number(window.reserved_usd), 0);
  });
});
