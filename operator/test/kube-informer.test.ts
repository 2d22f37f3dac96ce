// The supervised informer against the real API server: it follows adds,
// updates and deletes, and after its connections are cut (and refused for a
// while) it restarts, relists and ends up with exactly the server's state;
// its health read-out says since when it has been failing.
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { eventually, testNamespace } from '../../hack/test/harness.ts';
import {
  createInformer,
  RestClient,
  type InformerEvent,
  type InformerOptions,
  type SupervisedInformer,
} from '../src/kube/index.ts';
import {
  ApiServerProxy,
  clusterWithWidgets,
  recordingKubeConfig,
  widgetResource,
  widgetsIn,
  type Widget,
} from './kube-fixtures.ts';

describe('kube informer', function () {
  let client: RestClient;
  let namespace: string;
  let widgets: ReturnType<typeof widgetsIn>;
  const informers: SupervisedInformer<Widget>[] = [];

  before(async function () {
    this.timeout(30 * 60_000);
    ({ client } = await clusterWithWidgets());
  });

  beforeEach(async () => {
    namespace = await testNamespace('kube-informer');
    widgets = widgetsIn(client, namespace);
  });

  afterEach(async () => {
    await Promise.all(informers.splice(0).map((informer) => informer.stop()));
  });

  function widgetInformer(options: Partial<InformerOptions<Widget>> = {}, via = client) {
    const informer = createInformer<Widget>(via, { resource: widgetResource, namespace, ...options });
    informers.push(informer);
    const events: InformerEvent<Widget>[] = [];
    informer.subscribe((event) => events.push(event));
    return { informer, events };
  }

  const seen = (events: InformerEvent<Widget>[], type: string, name: string, priority?: number) =>
    events.some(
      (e) =>
        e.type === type &&
        e.object.metadata?.name === name &&
        (priority === undefined || e.object.spec.priority === priority),
    );

  it('follows add, update and delete of a custom resource', async () => {
    const { informer, events } = widgetInformer();
    informer.start();
    await informer.waitForSync();
    assert.deepEqual(informer.list(), []);

    await widgets.create('alpha');
    await eventually('the add of alpha', () => seen(events, 'add', 'alpha'));
    assert.equal(informer.get(namespace, 'alpha')?.kind, 'Widget');

    await widgets.setPriority('alpha', 5);
    const update = await eventually('the update of alpha', () =>
      events.find((e) => e.type === 'update' && e.object.spec.priority === 5),
    );
    assert.equal(update.old?.spec.priority, 0, 'an update carries the previous object');
    assert.equal(informer.get(namespace, 'alpha')?.spec.priority, 5);

    await widgets.remove('alpha');
    await eventually('the delete of alpha', () => seen(events, 'delete', 'alpha'));
    assert.equal(informer.get(namespace, 'alpha'), undefined);
    assert.deepEqual(informer.list(), []);
  });

  it('caches objects without managedFields unless asked to keep them', async () => {
    await widgets.create('listed');
    const lean = widgetInformer();
    const full = widgetInformer({ keepManagedFields: true });
    for (const { informer } of [lean, full]) {
      informer.start();
      await informer.waitForSync();
    }
    await widgets.create('watched');
    for (const name of ['listed', 'watched']) {
      await eventually(
        `${name} in both caches`,
        () => lean.informer.get(namespace, name) && full.informer.get(namespace, name),
      );
      assert.equal(lean.informer.get(namespace, name)!.metadata?.managedFields, undefined, `${name}: stripped`);
      assert.ok(full.informer.get(namespace, name)!.metadata?.managedFields?.length, `${name}: kept when asked`);
    }
  });

  it('lists in pages (limit/continue) and trims every object, listed or watched, with its transform', async () => {
    for (let i = 0; i < 12; i++) await widgets.create(`paged-${i}`, { labels: { team: 'a' } });
    const recording = recordingKubeConfig(client.kc);
    const { informer } = widgetInformer(
      {
        listPageSize: 5,
        transform: (widget) => {
          delete widget.metadata!.labels;
          widget.spec = { priority: widget.spec.priority };
        },
      },
      new RestClient(recording.kc),
    );
    informer.start();
    await informer.waitForSync();
    assert.equal(informer.list().length, 12, 'every page made it into the cache');
    const lists = recording.urls.filter(
      (u) => u.pathname.endsWith('/widgets') && u.searchParams.get('watch') !== 'true',
    );
    assert.deepEqual(
      lists.map((u) => [u.searchParams.get('limit'), Boolean(u.searchParams.get('continue'))]),
      [
        ['5', false],
        ['5', true],
        ['5', true],
      ],
      'three pages of at most 5',
    );
    await widgets.create('watched', { labels: { team: 'a' } });
    const watched = await eventually('the watched widget', () => informer.get(namespace, 'watched'));
    for (const widget of [...informer.list(), watched]) {
      assert.equal(widget.metadata?.labels, undefined, `${widget.metadata?.name} trimmed`);
    }
  });

  it('lists only what the label selector matches, and tells a late subscriber about the cache', async () => {
    await widgets.create('picked', { labels: { team: 'a' } });
    await widgets.create('ignored', { labels: { team: 'b' } });
    const { informer } = widgetInformer({ labelSelector: 'team=a' });
    informer.start();
    await informer.waitForSync();
    const late: string[] = [];
    informer.subscribe((e) => late.push(`${e.type} ${e.object.metadata?.name}`));
    assert.deepEqual(late, ['add picked']);
    assert.deepEqual(
      informer.list().map((sr) => sr.metadata?.name),
      ['picked'],
    );
    // List items arrive without apiVersion/kind; the cache fills them in.
    assert.equal(informer.list()[0]?.apiVersion, 'kube-test.nightshift.dev/v1');
  });

  it('re-announces every cached object on each resync period', async () => {
    await widgets.create('steady');
    const { informer, events } = widgetInformer({ resyncPeriodMs: 200 });
    informer.start();
    await eventually('two resyncs of steady', () => events.filter((e) => e.type === 'resync').length >= 2);
    assert.ok(events.every((e) => e.object.metadata?.name === 'steady'));
  });

  it('recovers from cut connections with a relist and loses no change made meanwhile', async () => {
    const { kc } = await clusterWithWidgets();
    const proxy = await ApiServerProxy.start(kc);
    try {
      const registry = new Registry();
      const { informer, events } = widgetInformer(
        { backoff: { baseMs: 200, maxMs: 1000 }, freshAfterFailures: 2, registry },
        new RestClient(proxy.kubeConfig(kc)),
      );
      for (const name of ['kept', 'changed', 'deleted']) await widgets.create(name);
      informer.start();
      await eventually('three cached objects', () => informer.list().length === 3);

      await proxy.cut();
      // Changes the informer cannot see while its connections are down.
      await widgets.setPriority('changed', 7);
      await widgets.remove('deleted');
      await widgets.create('created');
      const restarts = async () =>
        (await registry.getSingleMetric('nightshift_informer_restarts_total')!.get()).values[0]?.value ?? 0;
      // Without supervision the first refused reconnect would stop the informer for good. Three
      // failures in a row mean the plain restarts failed and a fresh informer's list failed too.
      await eventually('three failed restarts while cut off', async () => (await restarts()) >= 3);
      await proxy.restore();

      const versions = (items: Widget[]) =>
        Object.fromEntries(items.map((sr) => [sr.metadata!.name, sr.metadata!.resourceVersion]));
      await eventually('the cache to equal the server', async () => {
        assert.deepEqual(versions(informer.list()), versions(await widgets.list()));
        return true;
      });
      assert.deepEqual(Object.keys(versions(informer.list())).sort(), ['changed', 'created', 'kept']);
      assert.equal(informer.get(namespace, 'changed')?.spec.priority, 7);
      assert.ok(seen(events, 'delete', 'deleted'), 'the delete made during the outage was announced');
      assert.ok(seen(events, 'add', 'created'), 'the create made during the outage was announced');
      assert.ok(seen(events, 'update', 'changed', 7), 'the update made during the outage was announced');
    } finally {
      await proxy.close();
    }
  });

  it('reports since when it fails, and is healthy again once a watch reconnects, even without a relist', async () => {
    const { kc } = await clusterWithWidgets();
    const proxy = await ApiServerProxy.start(kc);
    try {
      let lists = 0;
      const counting = new RestClient(proxy.kubeConfig(kc));
      const request = counting.request.bind(counting);
      counting.request = (...args) => (lists++, request(...args));
      // Never a fresh informer: after the outage only the watch reconnects (from its resourceVersion).
      const { informer } = widgetInformer(
        { backoff: { baseMs: 100, maxMs: 300 }, freshAfterFailures: 1_000 },
        counting,
      );
      informer.start();
      await informer.waitForSync();
      assert.deepEqual(informer.health(), { failingSince: undefined, lastError: undefined });

      const cutAt = Date.now();
      await proxy.cut();
      const failing = await eventually('a refused reconnect', () => {
        const health = informer.health();
        return health.lastError?.includes('ECONNREFUSED') ? health : undefined;
      });
      assert.ok(failing.failingSince!.getTime() >= cutAt, 'failing since the outage began');
      // A few more refused reconnects (100 to 300 ms apart) must not move it.
      await new Promise((r) => setTimeout(r, 1_000));
      assert.equal(
        informer.health().failingSince?.getTime(),
        failing.failingSince!.getTime(),
        'failingSince stays at the first error',
      );

      await proxy.restore();
      await eventually('healthy again', () => informer.health().failingSince === undefined);
      assert.equal(lists, 1, 'recovered through the watch alone: no relist');
      assert.match(informer.health().lastError ?? '', /ECONNREFUSED/, 'the last error stays on record');
      // And the watch it reconnected really delivers.
      await widgets.create('after');
      await eventually('the reconnected watch to deliver', () => informer.get(namespace, 'after'));
    } finally {
      await proxy.close();
    }
  });

  it('restarts a watch that went silent on a hung connection once the watchdog period passes', async () => {
    const { kc } = await clusterWithWidgets();
    const proxy = await ApiServerProxy.start(kc);
    try {
      const registry = new Registry();
      // A short watchdog for the test; in production it must exceed client-node's 30 s watch
      // inactivity timeout, after which a quiet but healthy watch reconnects (and counts as heard).
      const { informer } = widgetInformer(
        { watchdogMs: 2_000, backoff: { baseMs: 200, maxMs: 1000 }, registry },
        new RestClient(proxy.kubeConfig(kc)),
      );
      informer.start();
      await informer.waitForSync();
      // Freeze only once the watch is up (it delivered an event): a connection still being made
      // when the network hangs fails on its own after undici's 10 s connect timeout.
      await widgets.create('watched');
      await eventually('the watch to deliver', () => informer.get(namespace, 'watched') !== undefined);

      proxy.freeze();
      await widgets.create('during');
      const restarts = async () =>
        (await registry.getSingleMetric('nightshift_informer_restarts_total')!.get()).values[0]?.value ?? 0;
      // No error arrives on a hung connection that is already open (the watch would only time out
      // after 30 s of silence): within this wait only the watchdog can notice.
      await eventually('a watchdog restart', async () => (await restarts()) >= 1, { timeoutMs: 15_000 });
      proxy.thaw();
      await eventually('the cache to catch up', () => informer.get(namespace, 'during') !== undefined);
    } finally {
      await proxy.close();
    }
  });
});
