// Two operator replicas on one queue, and a kill -9 of the leader in the
// middle of a burst of admissions: every story is started once, and the queue
// never holds more than maxParallel. Story pods are held Pending (a
// nodeSelector no node matches), so slots free only when a story is aborted.
import assert from 'node:assert/strict';
import { eventually } from '../../hack/test/harness.ts';
import { OperatorProcess } from './support/operator-process.ts';
import {
  createStoryRun,
  patchSpec,
  sampleStoryRun,
  storyEnvironment,
  type StoryEnvironment,
} from './support/story-environment.ts';
import { createWorkQueue, watchPods, type PodCensus } from './support/work-queues.ts';

const NOWHERE = { 'nightshift.dev/test': 'no-such-node' };
const MAX = 4;
const STORIES = 16;

describe('WorkQueue admission with two replicas and a killed leader', function () {
  this.timeout(15 * 60_000);
  let env: StoryEnvironment;
  let operators: OperatorProcess[] = [];
  let pods: PodCensus;
  let sampling: NodeJS.Timeout | undefined;
  let peakAdmitted = 0;

  before(async function () {
    this.timeout(30 * 60_000);
    env = await storyEnvironment('wq-replicas');
    const start = (identity: string) =>
      OperatorProcess.startReady({
        kubeconfig: env.cluster.kubeconfigPath,
        databaseURL: env.databaseURL,
        namespace: env.namespace,
        identity,
        config: {
          runner: { nodeSelector: NOWHERE },
          leaderElection: { leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 },
        },
      });
    operators = [await start('replica-a'), await start('replica-b')];
    pods = await watchPods(env);
  });
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    for (const operator of operators) console.log(operator.tail(60));
    const ledger = await env.db.query(`select name, state, claimed_by, admitted_at from work_queue order by name`);
    console.log('work_queue:', JSON.stringify(ledger.rows));
    console.log('pods per story:', JSON.stringify([...pods.podsPerStory()].map(([s, n]) => [s, [...n]])));
  });
  after(async () => {
    clearInterval(sampling);
    pods?.stop();
    await Promise.all(operators.map((o) => o.stop()));
    await env?.close();
  });

  const leader = async () =>
    eventually('a leader', async () => {
      for (const operator of operators) {
        const health = await fetch(`http://127.0.0.1:${operator.port}/health`).then(
          (r) => r.json() as Promise<{ leader: boolean }>,
          () => undefined,
        );
        if (health?.leader) return operator;
      }
      return undefined;
    });
  const admittedNow = async () =>
    (await env.db.query(`select name from work_queue where state = 'Admitted' order by name`)).rows.map(
      (r) => r.name as string,
    );

  it('starts each story once and never holds more than maxParallel', async () => {
    // Every 100 ms: how many stories hold a slot in the ledger.
    sampling = setInterval(() => {
      void env.db.query(`select count(*)::int as n from work_queue where state = 'Admitted'`).then(
        ({ rows }) => (peakAdmitted = Math.max(peakAdmitted, rows[0].n)),
        () => {},
      );
    }, 100);
    await createWorkQueue(env, 'burst', { maxParallel: MAX });
    for (let i = 0; i < STORIES; i++) {
      await createStoryRun(env, sampleStoryRun(env, `b-${i}`, { spec: { queueRef: 'burst' } }));
    }
    const first = await leader();
    let killed: OperatorProcess | undefined;
    const aborted = new Set<string>();
    for (let round = 0; aborted.size < STORIES; round++) {
      const holding = await eventually(
        `round ${round}: ${Math.min(MAX, STORIES - aborted.size)} stories admitted, each with its pod`,
        async () => {
          const names = (await admittedNow()).filter((n) => !aborted.has(n));
          const withPods = names.filter((n) => pods.podsPerStory().has(n));
          return withPods.length === Math.min(MAX, STORIES - aborted.size) ? withPods : undefined;
        },
        { timeoutMs: 90_000 },
      );
      // Abort them all at once (the leader frees four slots and admits four more)...
      await Promise.all(holding.map((name) => patchSpec(env, name, { abort: { requested: true } })));
      for (const name of holding) aborted.add(name);
      // ...and in the second round, kill the leader while it does.
      if (round === 1) {
        await new Promise((r) => setTimeout(r, 300));
        first.kill('SIGKILL');
        killed = first;
        assert.equal(await first.waitForExit(), null, 'killed by a signal');
      }
    }
    assert.ok(killed, 'the leader was killed mid-burst');
    const survivor = operators.find((o) => o !== killed)!;
    assert.equal(await leader(), survivor, 'the other replica took over');

    assert.ok(peakAdmitted <= MAX, `never more than ${MAX} admitted at once in the ledger (saw ${peakAdmitted})`);
    assert.ok(pods.peak() <= MAX, `never more than ${MAX} story pods at once (saw ${pods.peak()})`);
    const perStory = pods.podsPerStory();
    assert.equal(perStory.size, STORIES, 'every story was started');
    for (const [story, names] of perStory) assert.equal(names.size, 1, `${story}: one pod (${[...names]})`);
    const sessions = await env.db.query(
      `select name, count(*)::int as n from execution_sessions group by name having count(*) <> 1`,
    );
    assert.deepEqual(sessions.rows, [], 'one attempt record per story');
    const ledger = await env.db.query(
      `select count(*)::int as rows, count(admitted_at)::int as admitted, count(distinct claimed_by)::int as claimers
         from work_queue where queue_name = 'burst'`,
    );
    assert.deepEqual(
      ledger.rows[0],
      { rows: STORIES, admitted: STORIES, claimers: 2 },
      'both replicas admitted, each story once',
    );
  });
});
