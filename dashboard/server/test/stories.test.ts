// The story controls end to end: the real dashboard server and the real
// operator (both as processes) on the local cluster, real runner pods, real
// Postgres. Each control is a POST; the StoryRun's spec changes and the
// operator acts (the pod goes, the story resumes and finishes).
import assert from 'node:assert/strict';
import { eventually } from '../../../hack/test/harness.ts';
import { OperatorProcess } from '../../../operator/test/support/operator-process.ts';
import {
  createStoryRun,
  getStoryRun,
  sampleStoryRun,
  storyEnvironment,
  storyPods,
  waitForPhase,
  type StoryEnvironment,
} from '../../../operator/test/support/story-environment.ts';
import { apiClient, DashboardProcess } from './support/dashboard-process.ts';
import { Follower } from './support/follower.ts';

const fence = '```';
const slow = (step: string, seconds: number) => `${fence}nightshift\nslow: ${step} ${seconds}s attempt=1\n${fence}`;
const QUESTION = `
${fence}ask
question: Which greeting style should greeting() use?
options: casual, formal
recommendation: casual
context: Casual says "Hello, Ada!" (what the tests expect).
${fence}
`;

describe('dashboard API: story controls against the operator', function () {
  this.timeout(10 * 60_000);
  let env: StoryEnvironment;
  let operator: OperatorProcess;
  let dashboard: DashboardProcess;
  let api: ReturnType<typeof apiClient>;
  const diagnostics = () => `--- operator ---\n${operator.tail(20)}\n--- dashboard ---\n${dashboard.tail(20)}`;

  before(async function () {
    this.timeout(30 * 60_000);
    env = await storyEnvironment('dash-stories');
    operator = await OperatorProcess.startReady({
      kubeconfig: env.cluster.kubeconfigPath,
      databaseURL: env.databaseURL,
      namespace: env.namespace,
    });
    dashboard = await DashboardProcess.startReady({
      kubeconfig: env.cluster.kubeconfigPath,
      databaseURL: env.databaseURL,
      namespace: env.namespace,
    });
    const token = dashboard.firstToken();
    assert.ok(token, `the first start printed a token:\n${dashboard.logs()}`);
    api = apiClient(dashboard.url, token);
  });
  after(async () => {
    await dashboard?.stop();
    await operator?.stop();
    await env?.close();
  });

  const story = (name: string) =>
    eventually(`${name} in the dashboard`, async () => {
      const res = await api.get(`/api/stories/${env.namespace}/${name}`);
      return res.status === 200 ? res.body : undefined;
    });
  const whenStep = (name: string, step: string) =>
    eventually(
      `${name} to run ${step}`,
      async () => {
        const s = await story(name);
        return s.phase === 'Running' && s.step === step ? s : undefined;
      },
      { timeoutMs: 120_000 },
    );

  it('lists stories, and a POST pauses one immediately: the pod goes, kubectl shows Paused; resume finishes it', async () => {
    const follower = await Follower.connect(dashboard.url, dashboard.firstToken()!, {
      filter: { story: { namespace: env.namespace, name: 'pause-me' } },
    });
    const created = await createStoryRun(
      env,
      sampleStoryRun(env, 'pause-me', { extraDescription: slow('implement', 30) }),
    );
    const running = await whenStep('pause-me', 'implement');

    const list = await api.get(`/api/stories?namespace=${env.namespace}`);
    assert.equal(list.status, 200);
    assert.ok(
      list.body.items.some((s: { name: string }) => s.name === 'pause-me'),
      JSON.stringify(list.body),
    );
    assert.ok(Number.isInteger(list.body.seq));

    const paused = await api.post(`/api/stories/${env.namespace}/pause-me/pause`, {
      resourceVersion: running.resourceVersion,
      mode: 'Immediate',
    });
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.equal(paused.body.paused, true);
    const sr = await waitForPhase(env, 'pause-me', 'Paused', { diagnostics });
    assert.equal(sr.spec.pauseMode, 'Immediate');
    const table = await env.cluster.kubectl(['get', 'sr', '-n', env.namespace, 'pause-me']);
    assert.match(table, /pause-me\s+Paused/);
    await eventually('the pod to be gone', async () => {
      const pods = await storyPods(env, created.metadata.uid!);
      return (
        pods.every((p) => p.metadata?.deletionTimestamp || ['Succeeded', 'Failed'].includes(p.status?.phase ?? '')) ||
        undefined
      );
    });

    const again = await story('pause-me');
    const resumed = await api.post(`/api/stories/${env.namespace}/pause-me/resume`, {
      resourceVersion: again.resourceVersion,
    });
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    await waitForPhase(env, 'pause-me', 'Succeeded', { diagnostics, timeoutMs: 180_000 });

    const detail = await story('pause-me');
    assert.ok(detail.attempts.length >= 2, 'a second attempt after the pause');
    assert.equal(detail.attempts[0].outcome, 'Paused');
    assert.ok(detail.pullRequest?.url, 'the pull request');
    assert.ok(detail.conditions.some((c: { type: string }) => c.type === 'Complete'));
    assert.equal(detail.review?.draft, true, 'the review queue entry');
    assert.ok(
      detail.events.some((e: { reason: string }) => e.reason === 'Succeeded'),
      'its Kubernetes Events',
    );
    assert.ok(detail.pods.length >= 1 && detail.pods.every((p: { attempt: number }) => p.attempt >= 1), 'its pods');

    // The WebSocket saw it all as it happened: the StoryRun's phases, its pods, its events, in seq order.
    const changes = await follower.waitFor(
      'the Succeeded StoryRun over the WebSocket',
      () =>
        follower.changes.some((c) => c.kind === 'StoryRun' && (c.object as { phase?: string }).phase === 'Succeeded') &&
        follower.changes,
    );
    const phases = changes.flatMap((c) => (c.kind === 'StoryRun' ? [(c.object as { phase: string }).phase] : []));
    for (const phase of ['Running', 'Paused', 'Succeeded']) assert.ok(phases.includes(phase), `${phase} in ${phases}`);
    assert.ok(
      changes.some((c) => c.kind === 'Pod' && c.storyName === 'pause-me'),
      'its pods',
    );
    assert.ok(
      changes.some((c) => c.kind === 'event' && c.event?.type === 'PullRequestOpened'),
      'its events',
    );
    assert.ok(
      changes.every((c, i) => i === 0 || c.seq > changes[i - 1]!.seq),
      'in seq order',
    );
    follower.close();

    const audit = await api.get(`/api/audit?namespace=${env.namespace}&name=pause-me`);
    const actions = audit.body.items.map((a: { action: string; outcome: string }) => `${a.action}:${a.outcome}`);
    assert.deepEqual(actions, ['resume:applied', 'pause:applied']);
    assert.deepEqual(audit.body.items[1].before, { paused: false, pauseMode: 'Graceful' });
    assert.deepEqual(audit.body.items[1].after, { paused: true, pauseMode: 'Immediate' });
  });

  it('refuses an edit at a stale resourceVersion with 409 and leaves the spec as it was', async () => {
    await createStoryRun(env, sampleStoryRun(env, 'stale', { spec: { queueRef: 'nowhere' } }));
    await waitForPhase(env, 'stale', 'Queued', { diagnostics }); // the operator has written its status
    const first = await story('stale');
    const applied = await api.post(`/api/stories/${env.namespace}/stale/priority`, {
      resourceVersion: first.resourceVersion,
      priority: 5,
    });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    const stale = await api.post(`/api/stories/${env.namespace}/stale/pause`, {
      resourceVersion: first.resourceVersion,
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.match(stale.body.detail, /changed since resourceVersion/);
    const sr = await getStoryRun(env, 'stale');
    assert.equal(sr.spec.paused, false);
    assert.equal(sr.spec.priority, 5);
  });

  it('answers decisions in a batch: each applied once, failures per item; the story resumes and finishes', async () => {
    await createStoryRun(env, sampleStoryRun(env, 'asks', { extraDescription: QUESTION }));
    const waiting = await waitForPhase(env, 'asks', 'WaitingForHuman', { diagnostics });
    const pending = await eventually('the pending decision', async () => {
      const res = await api.get(`/api/decisions?namespace=${env.namespace}&story=asks`);
      return res.body.items?.[0];
    });
    assert.equal(pending.question, 'Which greeting style should greeting() use?');
    assert.deepEqual(pending.options, ['casual', 'formal']);
    assert.match(pending.context, /Casual says/);
    assert.equal(pending.pending, true);
    const detail = await story('asks');
    assert.equal(detail.decision?.id, waiting.status!.pendingDecision!.id, 'the detail carries the decision in full');

    const answer = {
      namespace: env.namespace,
      name: 'asks',
      id: pending.id,
      choice: 'casual',
      resourceVersion: detail.resourceVersion,
    };
    const batch = await api.post('/api/decisions', {
      decisions: [
        answer,
        { ...answer, name: 'no-such-story' },
        { ...answer, name: 'stale', id: 'not-asked', resourceVersion: '1' },
      ],
    });
    assert.equal(batch.status, 200, JSON.stringify(batch.body));
    assert.deepEqual(
      batch.body.results.map((r: { result: string }) => r.result),
      ['applied', 'notFound', 'conflict'],
    );
    await waitForPhase(env, 'asks', 'Succeeded', { diagnostics, timeoutMs: 180_000 });
    const sr = await getStoryRun(env, 'asks');
    assert.deepEqual(
      sr.spec.decisions.map((d) => [d.id, d.choice]),
      [[pending.id, 'casual']],
      'applied once',
    );

    const answered = await api.get(`/api/decisions?namespace=${env.namespace}&story=asks&state=answered`);
    assert.equal(answered.body.items[0].choice, 'casual');
    assert.equal(answered.body.items[0].pending, false);
  });

  it('aborts a running story keeping its work', async () => {
    await createStoryRun(env, sampleStoryRun(env, 'abort-me', { extraDescription: slow('implement', 30) }));
    const running = await whenStep('abort-me', 'implement');
    const res = await api.post(`/api/stories/${env.namespace}/abort-me/abort`, {
      resourceVersion: running.resourceVersion,
      keepWork: true,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const aborted = await waitForPhase(env, 'abort-me', 'Aborted', { diagnostics });
    assert.deepEqual(aborted.spec.abort, { requested: true, keepWork: true });
    const again = await api.post(`/api/stories/${env.namespace}/abort-me/pause`, {
      resourceVersion: aborted.metadata.resourceVersion,
    });
    assert.equal(again.status, 409, 'a finished story cannot be paused');
  });

  it('adds a story from a form, validating it first, and the operator runs it', async () => {
    const sample = sampleStoryRun(env, 'from-form');
    const bad = await api.post('/api/stories', {
      namespace: env.namespace,
      story: { id: 'FORM 1', title: '' },
      repository: sample.spec.repository,
    });
    assert.equal(bad.status, 400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    assert.ok(fields.includes('body.story.id') && fields.includes('body.story.title'), JSON.stringify(bad.body));

    const created = await api.post('/api/stories', {
      namespace: env.namespace,
      story: { ...sample.spec.story, id: 'FROM-FORM' },
      repository: sample.spec.repository,
      agent: { backend: 'scripted' },
      verify: sample.spec.verify,
      maxCostUSD: 1,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.name, 'from-form');
    await waitForPhase(env, 'from-form', 'Succeeded', { diagnostics, timeoutMs: 180_000 });
    const duplicate = await api.post('/api/stories', {
      namespace: env.namespace,
      name: 'from-form',
      story: sample.spec.story,
      repository: sample.spec.repository,
    });
    assert.equal(duplicate.status, 409);
  });

  it('replays a finished story from its records: steps with agent and tool calls, the commit with its diff, verify output, decisions', async () => {
    const replay = await api.get(`/api/stories/${env.namespace}/asks/replay`);
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    const steps = replay.body.steps.map((s: { node: string }) => s.node);
    for (const node of ['plan', 'implement', 'commit', 'verify', 'review', 'gate'])
      assert.ok(steps.includes(node), `${node} in ${steps}`);
    const items = replay.body.steps.flatMap((s: { items: { type: string }[] }) => s.items);
    const commit = items.find((i: { type: string }) => i.type === 'commit');
    const greeting = commit.files.find((f: { path: string }) => f.path === 'greeting.js');
    assert.match(
      greeting.diff,
      /^diff --git a\/greeting\.js b\/greeting\.js[\s\S]*\+\s+return `Hello, \$\{name\}!`;/m,
      'the file diff',
    );
    const verify = items.find((i: { type: string }) => i.type === 'verify');
    assert.equal(verify.passed, true);
    assert.deepEqual(verify.command, ['npm', 'test']);
    assert.ok(verify.output.length > 0, 'the verify output');
    const human = items.find((i: { type: string; by?: string }) => i.type === 'decision' && i.by === 'human');
    assert.equal(human.choice, 'casual');
    assert.equal(human.question, 'Which greeting style should greeting() use?');
    assert.ok(
      items.some((i: { type: string; by?: string }) => i.type === 'decision' && i.by === 'auto'),
      'the confidence gate',
    );
    assert.ok(
      replay.body.steps.every(
        (s: { durationMs: number | null; finishedAt: string | null }) => s.finishedAt === null || s.durationMs! >= 0,
      ),
    );
    assert.equal(replay.body.totals.humanDecisions, 1);
    assert.ok(replay.body.attempts.length >= 2, 'the attempt that asked and the one that resumed');
  });

  it('draws the timeline of the stories as lanes, counts today, and lists the review queue and operator runs', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const timeline = await api.get(`/api/timeline?from=${encodeURIComponent(from)}`);
    assert.equal(timeline.status, 200, JSON.stringify(timeline.body));
    const lane = timeline.body.lanes.find((l: { name: string }) => l.name === 'pause-me');
    assert.ok(lane, 'a lane for pause-me');
    assert.ok(
      lane.spans.some((s: { kind: string }) => s.kind === 'pause'),
      'its pause',
    );
    assert.ok(
      lane.spans.filter((s: { kind: string; name: string }) => s.kind === 'step' && s.name === 'implement').length >= 2,
      'implement cut and redone',
    );
    assert.ok(lane.markers.some((m: { type: string }) => m.type === 'Succeeded'));
    const asks = timeline.body.lanes.find((l: { name: string }) => l.name === 'asks');
    assert.ok(
      asks.spans.some((s: { kind: string }) => s.kind === 'waiting'),
      'its wait for a human',
    );
    assert.ok(timeline.body.maxParallel >= 1);

    const aggregates = await api.get('/api/aggregates?timezone=Europe/Berlin&days=7');
    assert.equal(aggregates.status, 200, JSON.stringify(aggregates.body));
    assert.equal(aggregates.body.days.length, 7);
    assert.ok(aggregates.body.today.succeeded >= 3, JSON.stringify(aggregates.body.today));
    assert.ok(aggregates.body.today.aborted >= 1);
    assert.ok(aggregates.body.days.at(-1).succeeded >= 3, 'today in the daily rows too');
    const badZone = await api.get('/api/aggregates?timezone=Mars/Olympus');
    assert.equal(badZone.status, 400);
    assert.equal(badZone.body.errors[0].field, 'query.timezone');

    const reviews = await api.get(`/api/reviews?namespace=${env.namespace}`);
    assert.ok(reviews.body.items.some((r: { name: string; draft: boolean }) => r.name === 'asks' && r.draft));
    const operators = await api.get('/api/operators');
    assert.ok(operators.body.items.some((r: { status: string }) => r.status === 'running'));
  });
});
