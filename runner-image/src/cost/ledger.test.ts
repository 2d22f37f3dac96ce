// The story's cost ledger against a real Postgres: a resumed attempt (which
// holds the story lock) gets back the cap that a dead attempt left reserved,
// without waiting for the reservation's TTL.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { testDatabase } from '../../../hack/test/harness.ts';
import { createPool } from '../records/pool.ts';
import { CostLedger } from './ledger.ts';

describe('cost ledger', function () {
  let pool: pg.Pool;
  before(async () => (pool = createPool(await testDatabase('ledger'), 4)));
  after(() => pool?.end());

  async function attempt(storyUid: string, n: number): Promise<string> {
    const id = randomUUID();
    await pool.query(
      `insert into execution_sessions (id, story_uid, namespace, name, story_id, attempt, pod_name)
       values ($1, $2, 'default', 'ledger', 'LEDGER-1', $3, $4)`,
      [id, storyUid, n, `ledger-${n}`],
    );
    return id;
  }
  const ledgerOf = (storyUid: string, sessionId: string) =>
    new CostLedger(pool, { storyUid, sessionId, ttlSeconds: 900 });

  it("releases a dead attempt's reservations at open, long before their TTL", async () => {
    const story = randomUUID();
    const dead = ledgerOf(story, await attempt(story, 1));
    await dead.open(1);
    const held = await dead.reserve(0.8, 'a call cut by a crash');
    assert.ok(held, 'the dead attempt reserved its worst case');
    assert.equal(await dead.reserve(0.5, 'another call'), undefined, 'the cap is held');

    const other = randomUUID();
    const neighbour = ledgerOf(other, await attempt(other, 1));
    await neighbour.open(1);
    assert.ok(await neighbour.reserve(0.7, 'a call of another story, still running'));

    const resumed = ledgerOf(story, await attempt(story, 2));
    const opened = await resumed.open(1);
    assert.deepEqual(await resumed.window(), { limitUSD: 1, spentUSD: 0, reservedUSD: 0 });
    assert.ok(await resumed.reserve(1, 'the whole cap'), 'the cap is free again');
    assert.deepEqual(opened, { abandoned: 1, expired: 0 });
    assert.equal(await dead.settle(held, 0.3), false, 'a late settle of the dead call is reported as lost');
    assert.equal((await resumed.window()).spentUSD, 0);

    assert.equal((await neighbour.window()).reservedUSD, 0.7, "another story's reservation is left alone");
    assert.deepEqual(await resumed.open(1), { abandoned: 0, expired: 0 }, 'its own reservations are kept');
    assert.equal((await resumed.window()).reservedUSD, 1);
  });
});
