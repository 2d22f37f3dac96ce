// Queue, budget and reprioritization controls: each is a spec patch at the
// resourceVersion given (409 when stale), audited with before and after. The
// operator acting on these fields is the admission and budget issues' work,
// so these tests assert the patch the API server stores.
import assert from 'node:assert/strict';
import { CONFIRM_INCREASE_ANNOTATION, confirmIncreaseValue } from '@nightshift/crds/contract';
import {
  eventually,
  installCRDs,
  localCluster,
  testDatabase,
  testNamespace,
  type LocalCluster,
} from '../../../hack/test/harness.ts';
import { apiClient, DashboardProcess } from './support/dashboard-process.ts';

describe('dashboard API: queue, budget and priority controls', function () {
  this.timeout(5 * 60_000);
  let cluster: LocalCluster;
  let namespace: string;
  let dashboard: DashboardProcess;
  let api: ReturnType<typeof apiClient>;
  const kubectlJSON = async (kind: string, name: string) =>
    JSON.parse(await cluster.kubectl(['get', kind, name, '-n', namespace, '-o', 'json']));

  before(async function () {
    this.timeout(20 * 60_000);
    cluster = await localCluster();
    await installCRDs();
    namespace = await testNamespace('dash-queues');
    dashboard = await DashboardProcess.startReady({
      kubeconfig: cluster.kubeconfigPath,
      databaseURL: await testDatabase('dash_queues'),
      namespace,
    });
    api = apiClient(dashboard.url, dashboard.firstToken());
    const story = (name: string, priority = 0) => ({
      apiVersion: 'nightshift.dev/v1alpha1',
      kind: 'StoryRun',
      metadata: { name, namespace },
      spec: {
        story: { id: name.toUpperCase(), title: name },
        repository: { url: 'http://127.0.0.1:9/x.git' },
        queueRef: 'nightly',
        priority,
      },
    });
    const items = [
      {
        apiVersion: 'nightshift.dev/v1alpha1',
        kind: 'WorkQueue',
        metadata: { name: 'nightly', namespace },
        spec: { maxParallel: 2, budgetRef: 'team' },
      },
      {
        apiVersion: 'nightshift.dev/v1alpha1',
        kind: 'Budget',
        metadata: { name: 'team', namespace },
        spec: { dailyLimitUSD: 25, weeklyLimitUSD: 100 },
      },
      story('first'),
      { ...story('second'), spec: { ...story('second').spec, position: 3 } },
      story('third'),
    ];
    await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  });
  after(() => dashboard?.stop());

  const fresh = async (path: string) => {
    const { status, body } = await api.get(path);
    assert.equal(status, 200, `${path}: ${JSON.stringify(body)}`);
    return body;
  };
  const queue = () => fresh(`/api/queues/${namespace}/nightly`);
  const budget = () => fresh(`/api/budgets/${namespace}/team`);

  it('lists the queue with its stories in admission order and the budget with its queues', async () => {
    // The informers see what kubectl applied a moment later.
    const q = await eventually('the queue with its three stories', async () => {
      const found = await api.get(`/api/queues/${namespace}/nightly`);
      return found.status === 200 && found.body.stories.length === 3 ? found.body : undefined;
    });
    assert.equal(q.spec.maxParallel, 2);
    assert.deepEqual(
      q.stories.map((s: { name: string }) => s.name),
      ['second', 'first', 'third'],
      'positioned first, then by age',
    );
    const list = await fresh(`/api/queues?namespace=${namespace}`);
    assert.equal(list.items.length, 1);
    const b = await budget();
    assert.deepEqual(b.queues, ['nightly']);
    assert.equal(b.confirmation.confirmed, false);
  });

  it('pauses and resumes the whole queue, and changes maxParallel while it runs', async () => {
    let q = await queue();
    const paused = await api.post(`/api/queues/${namespace}/nightly/pause`, {
      resourceVersion: q.resourceVersion,
      pauseRunning: 'Graceful',
    });
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.equal((await kubectlJSON('wq', 'nightly')).spec.paused, true);
    assert.equal(
      (await kubectlJSON('sr', 'first')).spec.paused,
      false,
      'a story that does not run is left to the queue',
    );
    const stale = await api.post(`/api/queues/${namespace}/nightly/resume`, { resourceVersion: q.resourceVersion });
    assert.equal(stale.status, 409, 'the pause moved its resourceVersion on');
    const resumed = await api.post(`/api/queues/${namespace}/nightly/resume`, {
      resourceVersion: paused.body.resourceVersion,
    });
    assert.equal(resumed.status, 200);
    q = resumed.body;
    const edited = await api.patch(`/api/queues/${namespace}/nightly`, {
      resourceVersion: q.resourceVersion,
      maxParallel: 5,
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    const wq = await kubectlJSON('wq', 'nightly');
    assert.equal(wq.spec.paused, false);
    assert.equal(wq.spec.maxParallel, 5);
    const bad = await api.patch(`/api/queues/${namespace}/nightly`, {
      resourceVersion: wq.metadata.resourceVersion,
      maxParallel: -1,
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'body.maxParallel');
  });

  it('edits the schedule and its override', async () => {
    let q = await queue();
    const schedule = {
      timezone: 'Europe/Berlin',
      windows: [{ days: ['Monday', 'Tuesday'], start: '22:00', end: '06:00' }],
      blackouts: [{ start: '2026-12-24T00:00:00Z', end: '2026-12-27T00:00:00Z', reason: 'holidays' }],
    };
    const set = await api.put(`/api/queues/${namespace}/nightly/schedule`, {
      resourceVersion: q.resourceVersion,
      schedule,
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    q = set.body;
    const override = await api.post(`/api/queues/${namespace}/nightly/override`, {
      resourceVersion: q.resourceVersion,
      override: 'ForceStop',
    });
    assert.equal(override.status, 200, JSON.stringify(override.body));
    const wq = await kubectlJSON('wq', 'nightly');
    assert.equal(wq.spec.schedule.timezone, 'Europe/Berlin');
    assert.deepEqual(wq.spec.schedule.windows[0], { days: ['Monday', 'Tuesday'], start: '22:00', end: '06:00' });
    assert.equal(wq.spec.schedule.override, 'ForceStop');
    const invalid = await api.put(`/api/queues/${namespace}/nightly/schedule`, {
      resourceVersion: wq.metadata.resourceVersion,
      schedule: { windows: [{ start: '25:00', end: '06:00' }] },
    });
    assert.equal(
      invalid.status,
      422,
      `the API server's CEL refuses an impossible time: ${JSON.stringify(invalid.body)}`,
    );
    assert.match(invalid.body.detail, /start must be a time HH:MM/);
  });

  it('raises a budget limit only when confirmed, setting the confirmation annotation; lowering needs none', async () => {
    let b = await budget();
    const unconfirmed = await api.patch(`/api/budgets/${namespace}/team`, {
      resourceVersion: b.resourceVersion,
      dailyLimitUSD: 50,
    });
    assert.equal(unconfirmed.status, 400);
    assert.equal(unconfirmed.body.errors[0].field, 'body.confirm');
    assert.equal((await kubectlJSON('nsb', 'team')).spec.dailyLimitUSD, 25, 'nothing changed');
    const raised = await api.patch(`/api/budgets/${namespace}/team`, {
      resourceVersion: b.resourceVersion,
      dailyLimitUSD: 50,
      confirm: true,
    });
    assert.equal(raised.status, 200, JSON.stringify(raised.body));
    let nsb = await kubectlJSON('nsb', 'team');
    assert.equal(nsb.spec.dailyLimitUSD, 50);
    assert.equal(
      nsb.metadata.annotations[CONFIRM_INCREASE_ANNOTATION],
      confirmIncreaseValue(nsb.spec, nsb.metadata.generation),
      'the confirmation names the spec and generation the raise made',
    );
    assert.equal(raised.body.confirmation.confirmed, true);
    b = raised.body;
    const lowered = await api.patch(`/api/budgets/${namespace}/team`, {
      resourceVersion: b.resourceVersion,
      weeklyLimitUSD: 80,
    });
    assert.equal(lowered.status, 200, 'lowering needs no confirmation');
    const extended = await api.post(`/api/budgets/${namespace}/team/extensions`, {
      resourceVersion: lowered.body.resourceVersion,
      amountUSD: 10,
      reason: 'release night',
      confirm: true,
    });
    assert.equal(extended.status, 200, JSON.stringify(extended.body));
    nsb = await kubectlJSON('nsb', 'team');
    assert.equal(nsb.spec.extensions[0].amountUSD, 10);
    assert.equal(nsb.spec.extensions[0].reason, 'release night');
    assert.equal(
      nsb.metadata.annotations[CONFIRM_INCREASE_ANNOTATION],
      confirmIncreaseValue(nsb.spec, nsb.metadata.generation),
      'the confirmation names the spec and generation the raise made',
    );
    const noConfirm = await api.post(`/api/budgets/${namespace}/team/extensions`, {
      resourceVersion: nsb.metadata.resourceVersion,
      amountUSD: 1,
      reason: 'x',
    });
    assert.equal(noConfirm.status, 400);
    assert.equal(noConfirm.body.errors[0].field, 'body.confirm');
  });

  it('confirms an increase made with kubectl', async () => {
    await cluster.kubectl([
      'patch',
      'nsb',
      'team',
      '-n',
      namespace,
      '--type=merge',
      '-p',
      '{"spec":{"dailyLimitUSD":70}}',
    ]);
    const b = await budget();
    assert.equal(b.confirmation.confirmed, false, 'the kubectl raise waits for confirmation');
    const confirmed = await api.post(`/api/budgets/${namespace}/team/confirm`, { resourceVersion: b.resourceVersion });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    const after = await kubectlJSON('nsb', 'team');
    assert.equal(
      after.metadata.annotations[CONFIRM_INCREASE_ANNOTATION],
      confirmIncreaseValue(after.spec, after.metadata.generation),
    );
  });

  it('reprioritizes: priority, move to front, skip — and audits each with before and after', async () => {
    const story = (name: string) => fresh(`/api/stories/${namespace}/${name}`);
    let third = await story('third');
    const front = await api.post(`/api/stories/${namespace}/third/priority`, {
      resourceVersion: third.resourceVersion,
      moveToFront: true,
    });
    assert.equal(front.status, 200, JSON.stringify(front.body));
    assert.equal(front.body.position, 2, 'below the lowest position in the queue (second has 3)');
    await eventually('third at the front of the queue', async () => {
      const names = (await queue()).stories.map((s: { name: string }) => s.name);
      return JSON.stringify(names) === JSON.stringify(['third', 'second', 'first']) || undefined;
    });
    third = front.body;
    const skipped = await api.post(`/api/stories/${namespace}/third/priority`, {
      resourceVersion: third.resourceVersion,
      skip: true,
      priority: 9,
    });
    assert.equal(skipped.status, 200);
    const sr = await kubectlJSON('sr', 'third');
    assert.equal(sr.spec.skip, true);
    assert.equal(sr.spec.priority, 9);
    const nothing = await api.post(`/api/stories/${namespace}/third/priority`, {
      resourceVersion: sr.metadata.resourceVersion,
    });
    assert.equal(nothing.status, 400, 'a reprioritization names something to change');
    const audit = await fresh(`/api/audit?namespace=${namespace}&name=third`);
    assert.deepEqual(
      audit.items.map((a: { action: string; before: unknown; after: unknown }) => [a.action, a.before, a.after]),
      [
        ['reprioritize', { priority: 0, position: 2, skip: false }, { priority: 9, position: 2, skip: true }],
        ['reprioritize', { priority: 0, position: null, skip: false }, { priority: 0, position: 2, skip: false }],
      ],
    );
    assert.ok(
      audit.items.every(
        (a: { tokenName: string; outcome: string }) => a.tokenName === 'admin' && a.outcome === 'applied',
      ),
    );
    const conflicts = await fresh(`/api/audit?namespace=${namespace}&name=nightly`);
    assert.ok(
      conflicts.items.some((a: { outcome: string; status: number }) => a.outcome === 'conflict' && a.status === 409),
      'a stale edit is audited as a conflict',
    );
  });
});
