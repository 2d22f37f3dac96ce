// WorkQueue admission on the local cluster: the real operator process, real
// runner pods working the sample story, Postgres as the admission ledger.
// Pods are counted from a watch, so a moment with one pod too many is seen.
import assert from 'node:assert/strict';
import { eventually } from '../../hack/test/harness.ts';
import { OperatorProcess } from './support/operator-process.ts';
import {
  createStoryRun,
  getStoryRun,
  sampleStoryRun,
  storyEnvironment,
  waitForPhase,
  type StoryEnvironment,
} from './support/story-environment.ts';
import { createWorkQueue, patchWorkQueue, waitForQueue, watchPods, type PodCensus } from './support/work-queues.ts';

const slow = (seconds: number) => `\`\`\`nightshift\nslow: implement ${seconds}s\n\`\`\``;

describe('WorkQueue admission on the local cluster', function () {
  this.timeout(15 * 60_000);
  let env: StoryEnvironment;
  let operator: OperatorProcess;
  let pods: PodCensus;
  const diagnostics = () => `--- operator log ---\n${operator.tail(40)}`;

  before(async function () {
    this.timeout(30 * 60_000);
    env = await storyEnvironment('wq-admit');
    operator = await OperatorProcess.startReady({
      kubeconfig: env.cluster.kubeconfigPath,
      databaseURL: env.databaseURL,
      namespace: env.namespace,
    });
    pods = await watchPods(env);
  });
  after(async () => {
    pods?.stop();
    await operator?.stop();
    await env?.close();
  });

  it('10 stories with maxParallel 3: never more than 3 pods, in priority order; raised to 5 live, 5 run; lowered to 1, the running finish, then one at a time', async () => {
    // Paused while the stories are created, so the order is decided with all ten in the queue.
    await createWorkQueue(env, 'night', { maxParallel: 3, paused: true });
    const priorities = [3, 9, 1, 7, 5, 10, 2, 8, 4, 6];
    for (const [i, priority] of priorities.entries()) {
      await createStoryRun(
        env,
        sampleStoryRun(env, `story-${i}`, { extraDescription: slow(8), spec: { queueRef: 'night', priority } }),
      );
    }
    const queued = await waitForQueue(env, 'night', 'ten queued while paused', (q) => q.status?.queued === 10);
    assert.equal(queued.status?.state, 'QueuePaused');
    assert.equal(queued.status?.next, 'story-5', 'the highest priority is next');
    const waiting = await eventually('story-5 to show its queue position', async () => {
      const sr = await getStoryRun(env, 'story-5');
      return sr.status?.queuePosition === 1 ? sr : undefined;
    });
    assert.equal(waiting.status?.phase, 'Queued');
    assert.equal((await getStoryRun(env, 'story-2')).status?.queuePosition, 10, 'the lowest priority is last');
    const table = await env.cluster.kubectl(['get', 'wq', 'night', '-n', env.namespace]);
    assert.match(table, /NAME\s+RUNNING\s+QUEUED\s+MAX\s+NEXT\s+STATE/);
    assert.match(table, /night\s+0\s+10\s+3\s+story-5\s+QueuePaused/);

    await patchWorkQueue(env, 'night', { paused: false });
    await eventually('3 story pods', () => pods.live() === 3, { timeoutMs: 60_000 });
    const byPriority = [...priorities.entries()].sort((a, b) => b[1] - a[1]).map(([i]) => `story-${i}`);
    assert.deepEqual(new Set(pods.startOrder()), new Set(byPriority.slice(0, 3)), 'the three highest priorities first');
    const running = await waitForQueue(
      env,
      'night',
      'MaxParallelReached',
      (q) => q.status?.state === 'MaxParallelReached',
    );
    assert.equal(running.status?.running, 3);
    assert.equal(running.status?.queued, 7);
    assert.ok(pods.peak() <= 3, `never more than 3 pods at once (saw ${pods.peak()})`);

    await patchWorkQueue(env, 'night', { maxParallel: 5 });
    await eventually('5 story pods', () => pods.live() === 5, { timeoutMs: 60_000 });
    assert.ok(pods.peak() <= 5, `never more than 5 (saw ${pods.peak()})`);

    await patchWorkQueue(env, 'night', { maxParallel: 1 });
    // Stories admitted before the queue saw the new limit may still be making their pods: count from when
    // every story holding a slot has its pod.
    const lowered = await waitForQueue(
      env,
      'night',
      'maxParallel 1 observed and every admitted story with its pod',
      (q) => q.status?.observedGeneration === q.metadata.generation && q.status?.running === pods.live(),
    );
    const mark = pods.mark();
    assert.ok(lowered.status!.running! >= 1, 'stories were running when the limit was lowered');
    for (let i = 0; i < 10; i++)
      await waitForPhase(env, `story-${i}`, 'Succeeded', { timeoutMs: 6 * 60_000, diagnostics });
    const others = pods.liveAtCreationSince(mark);
    assert.ok(others.length > 0, 'stories were admitted after maxParallel was lowered');
    assert.deepEqual(
      others.filter((n) => n > 0),
      [],
      `after lowering to 1, each new pod started only once no other was live (others live at each start: ${others})`,
    );
    // One decision admits several stories at once (one claim, one admitted_at): order within it by priority.
    const admitted = await env.db.query(
      `select name from work_queue where queue_name = 'night' order by admitted_at, priority desc`,
    );
    assert.deepEqual(
      admitted.rows.map((r) => r.name),
      byPriority,
      'admitted in priority order throughout',
    );
    for (const [story, names] of pods.podsPerStory()) assert.equal(names.size, 1, `${story} started once`);
    const idle = await waitForQueue(
      env,
      'night',
      'Idle (the last pod gone)',
      (q) => q.status?.state === 'Idle' && q.status.running === 0,
    );
    assert.equal(idle.status?.admittedToday, 10);
    assert.equal(idle.status?.running, 0);
    const { rows } = await env.db.query(
      `select state, count(*)::int as n from work_queue where queue_name = 'night' group by state`,
    );
    assert.deepEqual(rows, [{ state: 'Released', n: 10 }]);
  });

  it('reprioritizes live: position, move to front and skip take effect at the next admission', async () => {
    await createWorkQueue(env, 'reorder', { maxParallel: 1, paused: true });
    for (const name of ['r-a', 'r-b', 'r-c', 'r-d']) {
      await createStoryRun(env, sampleStoryRun(env, name, { spec: { queueRef: 'reorder' } }));
    }
    await waitForQueue(env, 'reorder', 'r-a next', (q) => q.status?.next === 'r-a');
    // Move r-c to the front, skip r-a.
    await env.cluster.kubectl([
      'patch',
      'sr',
      'r-c',
      '-n',
      env.namespace,
      '--type=merge',
      '-p',
      '{"spec":{"position":-1}}',
    ]);
    await env.cluster.kubectl([
      'patch',
      'sr',
      'r-a',
      '-n',
      env.namespace,
      '--type=merge',
      '-p',
      '{"spec":{"skip":true}}',
    ]);
    await waitForQueue(env, 'reorder', 'r-c next', (q) => q.status?.next === 'r-c');
    const mark = pods.startOrder().length;
    await patchWorkQueue(env, 'reorder', { paused: false });
    for (const name of ['r-c', 'r-b', 'r-d'])
      await waitForPhase(env, name, 'Succeeded', { timeoutMs: 180_000, diagnostics });
    assert.deepEqual(pods.startOrder().slice(mark), ['r-c', 'r-b', 'r-d']);
    const skipped = await getStoryRun(env, 'r-a');
    assert.equal(skipped.status?.phase, 'Queued', 'a skipped story is never admitted');
    const idle = await waitForQueue(
      env,
      'reorder',
      'Idle: only a skipped story left',
      (q) => q.status?.state === 'Idle',
    );
    assert.match(idle.status!.conditions!.find((c) => c.type === 'Admitting')!.message, /skipped/);
  });

  it('a story naming a queue that does not exist waits, saying so', async () => {
    await createStoryRun(env, sampleStoryRun(env, 'lost', { spec: { queueRef: 'no-such-queue' } }));
    const sr = await eventually('the QueueNotFound reason', async () => {
      const s = await getStoryRun(env, 'lost');
      const admitted = s.status?.conditions?.find((c) => c.type === 'Admitted');
      return admitted?.reason === 'QueueNotFound' ? s : undefined;
    });
    assert.equal(sr.status?.phase, 'Queued');
    assert.match(sr.status!.message!, /WorkQueue no-such-queue does not exist/);
  });
});
