// The manager against the real API server: informers asked for twice are one
// list and one watch per namespace; a controller on a manager reconciles
// (and resyncs); /readyz fails while an informer cannot reach the API server
// and the manager exits once that lasts; with leader election only the
// leader reconciles, and a stopping leader drains its reconciles before the
// standby takes over.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { eventually, testNamespace } from '../../hack/test/harness.ts';
// Through the workspace's public entry point, as a dashboard server would import it.
import { Manager, objectKey, RestClient, writeStatus, type ManagerOptions } from '@nightshift/operator/kube';
import {
  ApiServerProxy,
  clusterWithWidgets,
  recordingKubeConfig,
  widgetResource,
  widgetsIn,
  type Widget,
} from './kube-fixtures.ts';

describe('kube manager', function () {
  let kc: k8s.KubeConfig;
  let client: RestClient;
  let namespace: string;
  let widgets: ReturnType<typeof widgetsIn>;
  const managers: Manager[] = [];
  const proxies: ApiServerProxy[] = [];

  before(async function () {
    this.timeout(30 * 60_000);
    ({ kc, client } = await clusterWithWidgets());
  });

  beforeEach(async () => {
    namespace = await testNamespace('kube-manager');
    widgets = widgetsIn(client, namespace);
  });

  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.stop('test over')));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  /** A manager on a free probe port, with a log a test can read. */
  function manager(over: Partial<ManagerOptions> = {}) {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({ write: (chunk, _, done) => (lines.push(JSON.parse(String(chunk))), done()) }),
    );
    const m = new Manager({
      name: 'test',
      client,
      namespaces: [namespace],
      logger,
      registry: new Registry(),
      probes: { host: '127.0.0.1', port: 0 },
      health: { unreadyAfterMs: 60_000, exitAfterMs: 120_000 },
      ...over,
    });
    managers.push(m);
    return { manager: m, lines };
  }

  async function readyz(m: Manager): Promise<{ status: number; body: string }> {
    const response = await fetch(`http://127.0.0.1:${m.probePort}/readyz`);
    return { status: response.status, body: await response.text() };
  }

  it('shares one informer per resource and selectors: one list and one watch per namespace', async () => {
    const other = await testNamespace('kube-manager');
    const recording = recordingKubeConfig(kc);
    const { manager: m, lines } = manager({ client: new RestClient(recording.kc), namespaces: [namespace, other] });
    const first = m.informer<Widget>(widgetResource);
    assert.equal(m.informer<Widget>(widgetResource), first, 'asking again returns the same informer');
    const labelled = m.informer<Widget>(widgetResource, { labelSelector: 'team=a' });
    assert.notEqual(labelled, first, 'other selectors are another informer');

    const reconciled = { a: new Set<string>(), b: new Set<string>() };
    for (const name of ['a', 'b'] as const) {
      m.addController({
        name,
        for: m.informer<Widget>(widgetResource),
        reconcile: async (key) => void reconciled[name].add(key),
      });
    }
    await m.start();
    await eventually('caches synced', async () => (await readyz(m)).status === 200);
    await widgets.create('here', { labels: { team: 'a' } });
    await widgetsIn(client, other).create('there');
    // Created after the sync: only a watch can have brought them.
    for (const name of ['a', 'b'] as const) {
      await eventually(`controller ${name} to reconcile both`, () => reconciled[name].size === 2);
    }
    assert.deepEqual([...reconciled.a].sort(), [`${namespace}/here`, `${other}/there`].sort());
    assert.deepEqual(
      first
        .list()
        .map((w) => objectKey(w))
        .sort(),
      [`${namespace}/here`, `${other}/there`].sort(),
      'list() spans the namespaces',
    );
    assert.equal(first.list(other).length, 1);
    assert.equal(first.get(other, 'there')?.metadata?.name, 'there');
    assert.equal(first.get(namespace, 'there'), undefined);
    await eventually('the labelled informer to see its widget', () => labelled.get(namespace, 'here'));

    const widgetRequests = (ns: string, labelled: boolean, watch: boolean) =>
      recording.urls.filter(
        (url) =>
          url.pathname === `/apis/kube-test.nightshift.dev/v1/namespaces/${ns}/widgets` &&
          url.searchParams.has('labelSelector') === labelled &&
          (url.searchParams.get('watch') === 'true') === watch,
      ).length;
    // A restart (a failed list or watch) would rightly make more requests; say so if one happened.
    const restarts = JSON.stringify(lines.filter((l) => Number(l.level) >= 40).map((l) => l.msg));
    for (const ns of [namespace, other]) {
      assert.equal(
        widgetRequests(ns, false, false),
        1,
        `one list in ${ns} for two controllers and three asks ${restarts}`,
      );
      assert.equal(
        widgetRequests(ns, false, true),
        1,
        `one watch in ${ns} for two controllers and three asks ${restarts}`,
      );
      assert.equal(widgetRequests(ns, true, false), 1, `the labelled informer lists ${ns} on its own ${restarts}`);
    }
  });

  it('runs a controller that reconciles a Widget created through the API, and resyncs it', async () => {
    const { manager: m } = manager({ resyncPeriodMs: 200 });
    const reconciles: string[] = [];
    const informer = m.informer<Widget>(widgetResource);
    m.addController({
      name: 'widget',
      for: informer,
      reconcile: async (key) => {
        reconciles.push(key);
        const [ns, name] = key.split('/') as [string, string];
        const cached = informer.get(ns, name);
        if (cached && cached.status?.phase !== 'Seen') {
          await writeStatus(client, widgetResource, cached, { phase: 'Seen' });
        }
      },
    });
    await m.start();
    await widgets.create('w');
    await eventually('the controller to write status', async () => (await widgets.read('w')).status?.phase === 'Seen');
    await eventually('the cache to see the status', () => informer.get(namespace, 'w')?.status?.phase === 'Seen');
    // Nothing changes any more: further reconciles can only come from the resync period.
    const settled = reconciles.length;
    await eventually('three resyncs of the unchanged widget', () => reconciles.length >= settled + 3);
    assert.ok(reconciles.every((key) => key === `${namespace}/w`));
  });

  it('serves readiness checks and JSON handlers added to it', async () => {
    const { manager: m } = manager();
    let databaseDown = true;
    m.addReadinessCheck('database', async () => (databaseDown ? 'unreachable: connection refused' : undefined));
    m.addHandler('/health', (url) => ({ informers: 0, asked: url.searchParams.get('q') }));
    assert.throws(() => m.addHandler('/readyz', () => ({})), /already serves \/readyz/);
    await m.start();
    assert.deepEqual(await readyz(m), { status: 503, body: 'database: unreachable: connection refused\n' });
    databaseDown = false;
    assert.deepEqual(await readyz(m), { status: 200, body: 'ok\n' });
    const health = await fetch(`http://127.0.0.1:${m.probePort}/health?q=x`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { informers: 0, asked: 'x' });
  });

  it('fails /readyz while an informer cannot reach the API server, recovers, and exits when it lasts', async () => {
    const proxy = await ApiServerProxy.start(kc);
    proxies.push(proxy);
    const { manager: m, lines } = manager({
      client: new RestClient(proxy.kubeConfig(kc)),
      informers: { backoff: { baseMs: 100, maxMs: 500 } },
      health: { unreadyAfterMs: 1_000, exitAfterMs: 8_000 },
    });
    const informer = m.informer<Widget>(widgetResource);
    const description = `widgets.kube-test.nightshift.dev in ${namespace}`;
    assert.equal(informer.description, description);
    await m.start();
    await eventually('ready once synced', async () => (await readyz(m)).status === 200);

    await proxy.cut();
    const unready = await eventually('/readyz to fail naming the informer', async () => {
      const { status, body } = await readyz(m);
      return status === 503 && body.includes('ECONNREFUSED') ? body : undefined;
    });
    assert.match(
      unready,
      new RegExp(
        `^informer for ${description} has failed to list or watch for \\d+(\\.\\d)? s \\(since .+\\): .*ECONNREFUSED`,
      ),
    );

    await proxy.restore();
    await eventually('ready again once it reconnects', async () => (await readyz(m)).status === 200);

    await proxy.cut();
    const exitCode = await Promise.race([
      m.done,
      new Promise((resolve) => setTimeout(() => resolve('still running'), 30_000)),
    ]);
    assert.equal(exitCode, 1);
    const stopping = lines.find((l) => String(l.msg).startsWith('manager test stopping'));
    assert.match(String(stopping?.reason), new RegExp(`^informer for ${description} has failed .* longer than 8 s`));
  });

  it('stops with exit code 1 when a controller cannot start', async () => {
    const { manager: m, lines } = manager();
    // A resource the API server does not serve: the list fails with 404 and the cache never syncs.
    const missing = { ...widgetResource, plural: 'nonexistents', kind: 'Nonexistent' };
    m.addController({
      name: 'doomed',
      for: m.informer(missing),
      syncTimeoutMs: 1_000,
      reconcile: async () => {},
    });
    await m.start();
    assert.equal(await m.done, 1);
    const stopping = lines.find((l) => String(l.msg).startsWith('manager test stopping'));
    assert.match(String(stopping?.reason), /^controller doomed failed to start: gave up waiting for the informer/);
  });

  describe('with leader election', () => {
    const timing = { leaseName: 'test-manager', leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 };
    let log: string[];

    /** A manager that leads on a Lease and whose reconcile of "slow" takes 1.5 s, logging both ends. */
    function candidate(identity: string) {
      const { manager: m } = manager({ leaderElection: { ...timing, namespace, identity } });
      m.addController({
        name: 'widget',
        for: m.informer<Widget>(widgetResource),
        reconcile: async (key) => {
          log.push(`${identity} started ${key}`);
          // Deliberately deaf to the abort signal: a reconcile that cannot stop half-way.
          if (key.endsWith('/slow')) await new Promise((r) => setTimeout(r, 1_500));
          log.push(`${identity} finished ${key}`);
        },
      });
      return m;
    }

    beforeEach(() => {
      log = [];
    });

    it('reconciles only on the leader; a stopping leader drains its reconcile before the standby takes over', async () => {
      const a = candidate('a');
      await a.start();
      await eventually('a to lead', () => a.isLeader());
      const b = candidate('b');
      await b.start();
      await eventually('b to be ready (its cache synced) as a standby', async () => (await readyz(b)).status === 200);

      await widgets.create('quick');
      await eventually('a to reconcile quick', () => log.includes(`a finished ${namespace}/quick`));
      // b's cache has quick too; a running controller there would have reconciled it by now.
      await eventually('b to cache quick', () => b.informer<Widget>(widgetResource).get(namespace, 'quick'));
      await new Promise((r) => setTimeout(r, 1_000));
      assert.deepEqual(log, [`a started ${namespace}/quick`, `a finished ${namespace}/quick`]);
      assert.equal(b.isLeader(), false);

      await widgets.create('slow');
      await eventually('a to start the slow reconcile', () => log.includes(`a started ${namespace}/slow`));
      const stopped = a.stop('handing over', 0);
      await eventually('b to lead and reconcile slow', () => log.includes(`b finished ${namespace}/slow`), {
        timeoutMs: 20_000,
      });
      assert.equal(await stopped, 0);
      const afterA = log.slice(log.indexOf(`a finished ${namespace}/slow`) + 1);
      assert.ok(log.includes(`a finished ${namespace}/slow`), 'a finished its reconcile');
      assert.ok(
        log.findIndex((line) => line.startsWith('b ')) > log.indexOf(`a finished ${namespace}/slow`),
        `b reconciled only after a's reconcile in flight had finished: ${JSON.stringify(log)}`,
      );
      assert.ok(
        afterA.every((line) => line.startsWith('b ')),
        'a reconciled nothing after it stopped',
      );
      const lease = await kc
        .makeApiClient(k8s.CoordinationV1Api)
        .readNamespacedLease({ name: timing.leaseName, namespace });
      assert.equal(lease.spec?.holderIdentity, 'b');
    });

    it('stops at once with exit code 1 when the Lease is taken away', async () => {
      const a = candidate('a');
      await a.start();
      await eventually('a to lead', () => a.isLeader());
      const leases = kc.makeApiClient(k8s.CoordinationV1Api);
      const lease = await leases.readNamespacedLease({ name: timing.leaseName, namespace });
      lease.spec = { ...lease.spec, holderIdentity: 'usurper', renewTime: new k8s.V1MicroTime() };
      await leases.replaceNamespacedLease({ name: timing.leaseName, namespace, body: lease });
      assert.equal(await a.done, 1);
      assert.equal(a.isLeader(), false);
    });
  });
});
