// The night shift on the local cluster: schedules (closed → nothing admitted,
// ForceRun → admitted; closing mid-run → a graceful pause; reopening → resume),
// the health monitor (a silent runner is stuck and restarted; a slow step is
// only reported), and a queue that pauses itself after repeated failures.
import assert from 'node:assert/strict';
import { eventually } from '../../hack/test/harness.ts';
import { OperatorProcess } from './support/operator-process.ts';
import {
  createStoryRun,
  eventTypes,
  getStoryRun,
  sampleStoryRun,
  sessionsOf,
  storyEnvironment,
  waitForPhase,
  type StoryEnvironment,
} from './support/story-environment.ts';
import { createWorkQueue, getWorkQueue, patchWorkQueue, waitForQueue } from './support/work-queues.ts';

const directive = (line: string) => `\`\`\`nightshift\n${line}\n\`\`\``;
const hhmm = (date: Date) => date.toISOString().slice(11, 16);

describe('the night shift on the local cluster', function () {
  this.timeout(15 * 60_000);
  let env: StoryEnvironment;
  let operator: OperatorProcess;
  const diagnostics = () => `--- operator log ---\n${operator.tail(40)}`;

  before(async function () {
    this.timeout(30 * 60_000);
    env = await storyEnvironment('wq-night');
    operator = await OperatorProcess.startReady({
      kubeconfig: env.cluster.kubeconfigPath,
      databaseURL: env.databaseURL,
      namespace: env.namespace,
      config: {
        health: { checkIntervalSeconds: 2, stuckAfterSeconds: 20, slowAfterSeconds: 12 },
        runner: { env: { NIGHTSHIFT_HEARTBEAT_SECONDS: '2' }, gracefulStopSeconds: 120 },
      },
    });
  });
  after(async () => {
    await operator?.stop();
    await env?.close();
  });

  const describeStory = (name: string) => env.cluster.kubectl(['describe', 'storyrun', '-n', env.namespace, name]);

  it('a closed schedule admits nothing and says when it opens; ForceRun admits', async () => {
    // A daily window two to three hours from now (UTC): closed now, whatever the time of day.
    const opens = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 2 * 3_600_000);
    const closes = new Date(opens.getTime() + 3_600_000);
    await createWorkQueue(env, 'later', {
      maxParallel: 2,
      schedule: { timezone: 'UTC', windows: [{ start: hhmm(opens), end: hhmm(closes) }] },
    });
    await createStoryRun(env, sampleStoryRun(env, 'waits', { spec: { queueRef: 'later' } }));
    const closed = await waitForQueue(
      env,
      'later',
      'ScheduleClosed with the story queued',
      (q) => q.status?.state === 'ScheduleClosed' && q.status.queued === 1,
    );
    assert.equal(closed.status?.scheduleOpen, false);
    assert.equal(closed.status?.nextScheduleChange, opens.toISOString().replace('.000', ''));
    const admitting = closed.status!.conditions!.find((c) => c.type === 'Admitting')!;
    assert.deepEqual([admitting.status, admitting.reason], ['False', 'ScheduleClosed']);
    await new Promise((r) => setTimeout(r, 3_000));
    const story = await getStoryRun(env, 'waits');
    assert.equal(story.status?.phase, 'Queued');
    assert.equal(story.status?.queuePosition, 1);
    assert.equal((await sessionsOf(env, story.metadata.uid!)).length, 0, 'nothing started');

    await patchWorkQueue(env, 'later', { schedule: { override: 'ForceRun' } });
    await waitForPhase(env, 'waits', 'Succeeded', { diagnostics });
    const forced = await getWorkQueue(env, 'later');
    assert.equal(forced.status?.conditions?.find((c) => c.type === 'ScheduleOpen')?.reason, 'ForceRun');
  });

  it('closing the schedule mid-run pauses the story gracefully (not spec.paused); reopening resumes it by itself', async () => {
    await createWorkQueue(env, 'nightly', {
      maxParallel: 1,
      schedule: { timezone: 'Europe/Berlin', onClose: 'Pause' },
    });
    const created = await createStoryRun(
      env,
      sampleStoryRun(env, 'overnight', {
        extraDescription: directive('slow: implement 10s attempt=1'),
        spec: { queueRef: 'nightly' },
      }),
    );
    const uid = created.metadata.uid!;
    await eventually(
      'overnight to run implement',
      async () => {
        const sr = await getStoryRun(env, 'overnight');
        return sr.status?.phase === 'Running' && sr.status.step === 'implement' ? sr : undefined;
      },
      { timeoutMs: 120_000 },
    );

    await patchWorkQueue(env, 'nightly', { schedule: { override: 'ForceStop' } });
    const paused = await waitForPhase(env, 'overnight', 'Paused', { timeoutMs: 120_000, diagnostics });
    assert.equal(paused.spec.paused, false, "the user's spec.paused is untouched");
    const condition = paused.status!.conditions!.find((c) => c.type === 'Paused')!;
    assert.deepEqual([condition.status, condition.reason], ['True', 'ScheduleClosed']);
    const [attempt] = await sessionsOf(env, uid);
    assert.equal(attempt.outcome, 'Paused');
    assert.equal(attempt.outcome_detail.reason, 'Stopped', 'the runner stopped after its step (graceful), not cut');
    assert.ok((await eventTypes(env, uid, 'runner')).includes('StepFinished'), 'the step in flight finished');
    assert.match(await describeStory('overnight'), /ScheduleClosed/);
    const held = await getWorkQueue(env, 'nightly');
    assert.equal(held.status?.running, 1, 'a held story keeps its slot');

    await patchWorkQueue(env, 'nightly', { schedule: { override: 'None' } });
    await waitForPhase(env, 'overnight', 'Succeeded', { timeoutMs: 180_000, diagnostics });
    const sessions = await sessionsOf(env, uid);
    assert.deepEqual(
      sessions.map((s) => [s.attempt, s.outcome]),
      [
        [1, 'Paused'],
        [2, 'Succeeded'],
      ],
    );
    assert.ok((await eventTypes(env, uid, 'operator')).includes('Resumed'));
    const { rows } = await env.db.query('select count(*)::int as n from story_holds');
    assert.equal(rows[0].n, 0, 'the hold is lifted');
  });

  it('a runner that stops heartbeating is stuck: a Warning Event, its pod restarted from the checkpoint', async () => {
    const created = await createStoryRun(
      env,
      sampleStoryRun(env, 'silent', { extraDescription: directive('silent: implement 600s attempt=1') }),
    );
    const uid = created.metadata.uid!;
    await waitForPhase(env, 'silent', 'Succeeded', { timeoutMs: 240_000, diagnostics });
    const sessions = await sessionsOf(env, uid);
    assert.equal(sessions.length, 2, 'restarted once');
    assert.equal(sessions[1].outcome, 'Succeeded');
    const stuck = (await eventTypes(env, uid, 'operator')).filter((t) => t === 'Stuck');
    assert.deepEqual(stuck, ['Stuck'], 'recorded once');
    assert.match(await describeStory('silent'), /Warning\s+Stuck\s+.*no heartbeat for \d+ s/);
    const health = (await (await fetch(`http://127.0.0.1:${operator.port}/health`)).json()) as Record<string, unknown>;
    assert.equal(health.leader, true);
    assert.ok((health.restarted as number) >= 1, `restarts counted: ${JSON.stringify(health)}`);
    assert.ok(health.lastCheck);
  });

  it('a slow step with the runner alive is slow: a Condition and an Event, not restarted', async () => {
    const created = await createStoryRun(
      env,
      sampleStoryRun(env, 'slowpoke', { extraDescription: directive('slow: implement 30s') }),
    );
    const slow = await eventually(
      'the Slow condition',
      async () => {
        const sr = await getStoryRun(env, 'slowpoke');
        const condition = sr.status?.conditions?.find((c) => c.type === 'Slow' && c.status === 'True');
        return condition ? condition : undefined;
      },
      { timeoutMs: 120_000 },
    );
    assert.equal(slow.reason, 'NoStepProgress');
    assert.match(slow.message, /step implement has run for \d+ s/);
    const done = await waitForPhase(env, 'slowpoke', 'Succeeded', { timeoutMs: 180_000, diagnostics });
    assert.equal(done.status?.conditions?.find((c) => c.type === 'Slow')?.status, 'False');
    assert.equal((await sessionsOf(env, created.metadata.uid!)).length, 1, 'not restarted');
    assert.match(await describeStory('slowpoke'), /Warning\s+Slow\s+.*step implement/);
  });

  it('three failing stories pause their queue: spec.paused, a Condition, an Event and a record for the notifier', async () => {
    await createWorkQueue(env, 'flaky', { maxParallel: 1, autoPause: { failures: 3, withinMinutes: 30 } });
    for (let i = 0; i < 4; i++) {
      const story = sampleStoryRun(env, `flaky-${i}`, { spec: { queueRef: 'flaky', backoffLimit: 0 } });
      story.spec.repository.url = env.forge.gitURL('nobody/nothing'); // fails at clone
      await createStoryRun(env, story);
    }
    await waitForQueue(env, 'flaky', 'auto-paused', (q) => q.spec.paused, 240_000);
    await waitForQueue(
      env,
      'flaky',
      'QueuePaused with AutoPaused',
      (q) =>
        q.status?.state === 'QueuePaused' &&
        q.status.conditions?.some((c) => c.type === 'AutoPaused' && c.status === 'True') === true,
    );
    const failed = await Promise.all([0, 1, 2, 3].map((i) => getStoryRun(env, `flaky-${i}`)));
    assert.deepEqual(
      failed.map((s) => s.status?.phase),
      ['Failed', 'Failed', 'Failed', 'Queued'],
      'the fourth story is not admitted',
    );
    const { rows } = await env.db.query(`select type, message, data from queue_events where queue_name = 'flaky'`);
    assert.equal(rows.length, 1, 'one record');
    assert.equal(rows[0].type, 'AutoPaused');
    assert.equal(rows[0].data.failures.length, 3);
    const described = await env.cluster.kubectl(['describe', 'workqueue', 'flaky', '-n', env.namespace]);
    assert.match(described, /Warning\s+AutoPaused\s+.*3 stories failed/);

    // A person resumes it: the old failures do not pause it again, and the fourth story runs (and fails).
    await patchWorkQueue(env, 'flaky', { paused: false });
    await waitForPhase(env, 'flaky-3', 'Failed', { timeoutMs: 120_000, diagnostics });
    const resumed = await getWorkQueue(env, 'flaky');
    assert.equal(resumed.spec.paused, false, 'one new failure does not pause it again');
    assert.equal(resumed.status?.conditions?.find((c) => c.type === 'AutoPaused')?.status, 'False');
  });
});
