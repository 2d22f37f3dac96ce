// The attempt's execution_sessions row against a real Postgres: an outcome the
// operator recorded (Crashed, Paused) is never overwritten, and only changes
// the operator acts on (step, cost, outcome) NOTIFY it, not heartbeats.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { eventually, testDatabase } from '../../../hack/test/harness.ts';
import { createLogger } from '../log.ts';
import { createPool } from './pool.ts';
import { NOTIFY_CHANNELS } from '@nightshift/crds/contract';
import { SessionRecord } from './session.ts';

describe('session record', function () {
  let databaseURL: string;
  let pool: pg.Pool;
  let listener: pg.Client;
  const notifications: string[] = [];
  const logLines: Record<string, unknown>[] = [];
  const log = createLogger({
    level: 'info',
    secrets: [],
    bindings: {},
    destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
  });

  before(async () => {
    databaseURL = await testDatabase('session');
    pool = createPool(databaseURL, 4);
    listener = new pg.Client({ connectionString: databaseURL });
    await listener.connect();
    listener.on('notification', (n) => notifications.push(n.payload ?? ''));
    await listener.query(`listen ${NOTIFY_CHANNELS.story}`);
  });
  after(async () => {
    await listener?.end();
    await pool?.end();
  });

  async function newSession(name: string): Promise<SessionRecord> {
    const id = randomUUID();
    await pool.query(
      `insert into execution_sessions (id, story_uid, namespace, name, story_id, attempt, pod_name)
       values ($1, $2, 'default', $3, 'SESSION-1', 1, $3)`,
      [id, randomUUID(), name],
    );
    return new SessionRecord(pool, id, { namespace: 'default', name }, log);
  }
  const row = async (session: SessionRecord) =>
    (await pool.query('select * from execution_sessions where id = $1', [session.sessionId])).rows[0] as Record<
      string,
      unknown
    >;
  /** Everything notified before a sentinel sent now (notifications arrive in commit order). */
  async function notifiedSoFar(): Promise<string[]> {
    const sentinel = `sentinel-${randomUUID()}`;
    await pool.query('select pg_notify($1, $2)', [NOTIFY_CHANNELS.story, sentinel]);
    await eventually('the sentinel notification', () => notifications.includes(sentinel) || undefined);
    return notifications.splice(0).filter((n) => n !== sentinel);
  }

  it('notifies on step, cost and outcome, not on heartbeats', async () => {
    const session = await newSession('notify');
    await session.markStarted();
    assert.deepEqual(await notifiedSoFar(), ['default/notify']);

    await session.heartbeat();
    await session.heartbeat();
    assert.deepEqual(await notifiedSoFar(), [], 'heartbeats do not wake the operator');
    assert.ok((await row(session)).heartbeat_at instanceof Date);

    await session.setStep('plan');
    await session.setCost(0.25);
    assert.ok(await session.finish({ outcome: 'Paused', detail: { reason: 'Stopped', message: 'SIGTERM' } }));
    assert.deepEqual(await notifiedSoFar(), ['default/notify', 'default/notify', 'default/notify']);
    const ended = await row(session);
    assert.equal(ended.step, 'plan');
    assert.equal(Number(ended.cost_usd), 0.25);
    assert.equal(ended.outcome, 'Paused');
  });

  it('never overwrites an outcome the operator recorded, and logs the one it could not record', async () => {
    const session = await newSession('crashed');
    await session.markStarted();
    await session.setStep('implement');
    const crash = { reason: 'PodMissing', exitCode: null, message: 'the pod vanished' };
    await pool.query(
      `update execution_sessions set ended_at = now(), outcome = 'Crashed', outcome_detail = $2
        where id = $1 and ended_at is null`,
      [session.sessionId, crash],
    );
    const before = await row(session);
    notifications.length = 0;
    logLines.length = 0;

    await session.setStep('commit');
    await session.setCost(1.5);
    await session.heartbeat();
    const recorded = await session.finish({ outcome: 'Failed', detail: { reason: 'NoChanges', message: 'nothing' } });

    assert.deepEqual(await row(session), before, 'the row is as the operator left it');
    assert.equal(recorded, false);
    assert.deepEqual(await notifiedSoFar(), [], 'nothing changed, nothing to notify');
    const warning = logLines.find((l) => l.level === 'warn');
    assert.ok(warning, JSON.stringify(logLines));
    assert.equal(warning.outcome, 'Failed');
    assert.equal(warning.recordedOutcome, 'Crashed');
  });

  it('refuses to start an attempt that was already ended, or that has no row', async () => {
    const session = await newSession('late');
    await pool.query(`update execution_sessions set ended_at = now(), outcome = 'Paused' where id = $1`, [
      session.sessionId,
    ]);
    await assert.rejects(session.markStarted(), /was already ended \(outcome Paused\) before its runner started/);
    assert.equal((await row(session)).runner_started_at, null);

    const missing = new SessionRecord(pool, randomUUID(), { namespace: 'default', name: 'missing' }, log);
    await assert.rejects(missing.markStarted(), /execution_sessions has no row/);
  });
});
