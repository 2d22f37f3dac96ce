// The operator's records on a real Postgres: rows are parsed with the
// contract's schemas (a bad row is an error naming table, column and row),
// what the operator writes reads back typed, and daemon_runs tell the truth
// about operators that died without a goodbye.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { daemonRuns, DAEMON_RUN_COLUMNS, RecordError, type StoryRunSnapshot } from '@nightshift/crds/contract';
import { createPool } from '@nightshift/operator/postgres';
import { testDatabase } from '../../hack/test/harness.ts';
import { closeCrashedRuns, startDaemonRun } from '../src/records/daemon-runs.ts';
import { ensureSession, listSessions, recordEnd } from '../src/records/sessions.ts';

describe('operator records', function () {
  let pool: pg.Pool;

  before(async function () {
    this.timeout(120_000);
    pool = createPool(await testDatabase('records'), { applicationName: 'records-test', max: 4 });
  });
  after(() => pool.end());

  const snapshot = (): StoryRunSnapshot => ({
    apiVersion: 'nightshift.dev/v1alpha1',
    kind: 'StoryRun',
    metadata: { name: 'fix-login', namespace: 'team-a', uid: randomUUID(), generation: 1 },
    spec: {
      story: { id: 'T-1', title: 'Fix login', description: 'ü'.repeat(65_536), acceptanceCriteria: [] },
      repository: { url: 'https://example.com/r.git', baseBranch: 'main' },
      priority: 0,
      skip: false,
      agent: { backend: 'scripted', maxTurns: 30, maxTokensPerCall: 4096 },
      confidenceThreshold: 0.8,
      backoffLimit: 2,
      paused: false,
      pauseMode: 'Graceful',
      abort: { requested: false, keepWork: false },
      decisions: [],
    },
  });

  it("writes the attempt with the StoryRun snapshot the runner reads, once, and reads the operator's end back typed", async () => {
    const s = snapshot();
    const attempt = { snapshot: s, attempt: 1, mode: 'run' as const, podName: 'fix-login-1', daemonRunId: undefined };
    const first = await ensureSession(pool, attempt);
    const again = await ensureSession(pool, attempt);
    assert.equal(again.id, first.id, 'a repeated reconcile adopts the row');
    const { rows } = await pool.query('select storyrun from execution_sessions where id = $1', [first.id]);
    assert.equal(rows[0].storyrun.spec.story.description.length, 65_536, 'the whole spec, whatever its size');

    await recordEnd(pool, first.id, { outcome: 'Crashed', detail: { reason: 'Error', exitCode: 1, message: 'boom' } });
    const [ended] = await listSessions(pool, s.metadata.uid);
    assert.ok(ended?.result?.outcome === 'Crashed');
    assert.equal(ended.result.detail.exitCode, 1);
  });

  it('refuses a row that does not match the contract, naming table, column and row id', async () => {
    const uid = randomUUID();
    const id = randomUUID();
    await pool.query(
      `insert into execution_sessions (id, story_uid, namespace, name, story_id, attempt, pod_name, ended_at, outcome, outcome_detail)
       values ($1, $2, 'team-a', 'broken', 'T-2', 1, 'broken-1', now(), 'Succeeded', '{"pullRequest": {"url": "u"}}')`,
      [id, uid],
    );
    await assert.rejects(listSessions(pool, uid), (error: unknown) => {
      assert.ok(error instanceof RecordError, String(error));
      assert.equal(error.table, 'execution_sessions');
      assert.equal(error.column, 'outcome_detail');
      assert.equal(error.rowId, id);
      assert.match(error.message, /column outcome_detail \(at pullRequest\.number\)/);
      return true;
    });
  });

  it('records the configuration a run started with, and closes runs that died without a goodbye as crashed', async () => {
    const config = { workers: 8, database: { url: 'postgres://u:***@db/ns' } };
    const dead = await startDaemonRun(pool, { identity: 'dead', version: '0.1.0', config, staleAfterSeconds: 90 });
    // It stopped heart-beating two minutes ago and never said goodbye (kill -9).
    await pool.query(`update daemon_runs set last_seen_at = now() - interval '2 minutes' where id = $1`, [dead.id]);
    const alive = await startDaemonRun(pool, { identity: 'alive', version: '0.1.0', config, staleAfterSeconds: 90 });
    assert.equal(alive.closedCrashed, 1, 'the next start closed the dead run');

    const read = async (id: string) =>
      daemonRuns.parse((await pool.query(`select ${DAEMON_RUN_COLUMNS} from daemon_runs where id = $1`, [id])).rows[0]);
    const closed = await read(dead.id);
    assert.equal(closed.status, 'crashed');
    assert.match(closed.stop_reason ?? '', /^no heartbeat since /);
    assert.deepEqual(closed.config, config);
    assert.equal((await read(alive.id)).status, 'running', 'a live run stays running');
    assert.equal(await closeCrashedRuns(pool, 90), 0);

    await alive.stop('SIGTERM');
    const stopped = await read(alive.id);
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.stop_reason, 'SIGTERM');
  });
});
