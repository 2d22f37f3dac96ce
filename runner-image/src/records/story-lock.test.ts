// The story lock against a real Postgres: a runner waits while another holds
// the story, takes it once free, and a connection dropped during the wait
// fails the wait with context instead of crashing the process.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { eventually, testDatabase } from '../../../hack/test/harness.ts';
import { StoryLock } from './story-lock.ts';

describe('story lock', function () {
  let databaseURL: string;
  let holder: pg.Client;
  before(async () => {
    databaseURL = await testDatabase('lock');
    holder = new pg.Client({ connectionString: databaseURL });
    await holder.connect();
  });
  after(() => holder?.end());

  const hold = (uid: string) =>
    holder.query('select pg_advisory_lock(hashtextextended($1, 0))', [`nightshift:story:${uid}`]);
  const unhold = (uid: string) =>
    holder.query('select pg_advisory_unlock(hashtextextended($1, 0))', [`nightshift:story:${uid}`]);
  const noLoss = { onLost: (error: Error) => assert.fail(`lost the lock: ${error.message}`) };

  it('waits while another runner holds the story, and takes it once free', async () => {
    const uid = randomUUID();
    await hold(uid);
    await assert.rejects(
      StoryLock.acquire(databaseURL, uid, { timeoutMs: 600, ...noLoss }),
      new RegExp(`story ${uid} is locked by another runner \\(waited 600 ms\\)`),
    );
    const waiting = StoryLock.acquire(databaseURL, uid, { timeoutMs: 30_000, ...noLoss });
    await new Promise((r) => setTimeout(r, 700));
    await unhold(uid);
    const lock = await waiting;
    await lock.release();
  });

  it('fails the wait, naming the story, when its connection drops', async () => {
    const uid = randomUUID();
    await hold(uid);
    const waiting = StoryLock.acquire(databaseURL, uid, { timeoutMs: 30_000, ...noLoss });
    const settled = waiting.then(
      () => assert.fail('took a lock that another runner holds'),
      (error: unknown) => error as Error,
    );
    const pid = await eventually('the waiting lock connection', async () => {
      const { rows } = await holder.query<{ pid: number }>(
        `select pid from pg_stat_activity
          where datname = current_database() and application_name = 'nightshift-runner-lock'`,
      );
      return rows[0]?.pid;
    });
    await holder.query('select pg_terminate_backend($1)', [pid]);
    const error = await settled;
    assert.match(error.message, new RegExp(`^failed to wait for the lock of story ${uid}: `));
    assert.match(error.message, /terminat/i, 'the cause is in the message');
    await unhold(uid);
  });
});
