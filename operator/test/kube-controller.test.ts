// The controller loop against the real API server: failures come back with
// growing backoff, events for one object coalesce into one reconcile, stop()
// waits for the reconcile in flight, and changes to owned objects reconcile
// their owner.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { HttpMethod } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { eventually, testNamespace } from '../../hack/test/harness.ts';
import {
  Controller,
  createInformer,
  ExponentialRateLimiter,
  keysFromController,
  keysFromLabel,
  ownerReference,
  resourcePath,
  type ControllerOptions,
  type ResourceType,
  type RestClient,
  type SupervisedInformer,
} from '../src/kube/index.ts';
import { clusterWithWidgets, widgetResource, widgetsIn, type Widget } from './kube-fixtures.ts';

const configMapResource: ResourceType = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' };

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('kube controller', function () {
  let client: RestClient;
  let namespace: string;
  let widgets: ReturnType<typeof widgetsIn>;
  const stoppables: { stop(): Promise<void> }[] = [];

  before(async function () {
    this.timeout(30 * 60_000);
    ({ client } = await clusterWithWidgets());
  });

  beforeEach(async () => {
    namespace = await testNamespace('kube-controller');
    widgets = widgetsIn(client, namespace);
  });

  afterEach(async () => {
    // Controllers first, then the informers they use.
    for (const s of stoppables.splice(0).reverse()) await s.stop();
  });

  function widgetInformer(): SupervisedInformer<Widget> {
    const informer = createInformer<Widget>(client, { resource: widgetResource, namespace });
    stoppables.push(informer);
    return informer;
  }

  function controller(options: Omit<ControllerOptions, 'name'> & { name?: string }): Controller {
    const c = new Controller({ name: 'test', ...options });
    stoppables.push(c);
    return c;
  }

  it('retries a failing reconcile with growing backoff until it succeeds, logging each failure', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({ write: (chunk, _, done) => (lines.push(String(chunk)), done()) }),
    );
    const registry = new Registry();
    const attempts: number[] = [];
    const key = `${namespace}/flaky`;
    await widgets.create('flaky');
    await controller({
      name: 'flaky',
      for: widgetInformer(),
      rateLimiter: new ExponentialRateLimiter({ baseMs: 300, maxMs: 5_000 }),
      logger,
      registry,
      reconcile: async (k) => {
        assert.equal(k, key);
        attempts.push(performance.now());
        if (attempts.length <= 2) throw new Error(`transient failure ${attempts.length}`);
      },
    }).start();

    await eventually('a third, successful attempt', () => attempts.length === 3);
    const [first, second, third] = attempts as [number, number, number];
    // Lower bounds only: each retry waited at least its backoff (300 ms, then 600 ms).
    assert.ok(second - first >= 295, `first retry after ${second - first} ms`);
    assert.ok(third - second >= 595, `second retry after ${third - second} ms`);

    const metric = async (name: string, labels: Record<string, string>) =>
      (await registry.getSingleMetric(name)!.get()).values.find((v) =>
        Object.entries(labels).every(([l, value]) => v.labels[l] === value),
      )?.value;
    assert.equal(await metric('nightshift_controller_reconcile_errors_total', { controller: 'flaky' }), 2);
    assert.equal(await metric('nightshift_controller_reconcile_total', { controller: 'flaky', result: 'success' }), 1);
    const failures = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 50);
    assert.equal(failures.length, 2);
    assert.equal(failures[0].key, key);
    assert.match(failures[0].msg, new RegExp(`reconcile of ${key} failed .*transient failure 1`));
    assert.match(failures[1].msg, /retry 2 follows/);
  });

  it('coalesces updates made while the object is being reconciled into one more reconcile', async () => {
    const informer = widgetInformer();
    const seenPriorities: number[] = [];
    const firstRunMayFinish = deferred();
    await widgets.create('busy');
    await controller({
      for: informer,
      workers: 4,
      reconcile: async (key) => {
        const [ns, name] = key.split('/') as [string, string];
        seenPriorities.push(informer.get(ns, name)?.spec.priority ?? -1);
        if (seenPriorities.length === 1) await firstRunMayFinish.promise;
      },
    }).start();

    await eventually('the first reconcile to begin', () => seenPriorities.length === 1);
    await widgets.setPriority('busy', 1);
    await widgets.setPriority('busy', 2);
    await eventually('the cache to hold both updates', () => informer.get(namespace, 'busy')?.spec.priority === 2);
    assert.equal(seenPriorities.length, 1, 'no second reconcile while the first is in flight, despite idle workers');
    firstRunMayFinish.resolve();
    await eventually('the coalesced reconcile', () => seenPriorities.length === 2);

    // A marker update: had the two updates been processed separately, it would be the fourth call.
    await widgets.setPriority('busy', 3);
    await eventually('the reconcile of the marker', () => seenPriorities.includes(3));
    assert.deepEqual(seenPriorities, [0, 2, 3]);
  });

  it('stop() stops taking work and waits for the reconcile in flight', async () => {
    const informer = widgetInformer();
    const order: string[] = [];
    const mayFinish = deferred();
    let signalAborted = false;
    await widgets.create('long');
    const c = controller({
      for: informer,
      reconcile: async (_key, signal) => {
        order.push('reconcile started');
        await mayFinish.promise;
        signalAborted = signal.aborted;
        order.push('reconcile finished');
      },
    });
    await c.start();
    await eventually('the reconcile to begin', () => order.length === 1);

    const stopping = c.stop().then(() => order.push('stop resolved'));
    await widgets.setPriority('long', 9);
    await eventually('the cache to see the update', () => informer.get(namespace, 'long')?.spec.priority === 9);
    assert.deepEqual(order, ['reconcile started'], 'stop() is still waiting');
    mayFinish.resolve();
    await stopping;
    assert.deepEqual(order, ['reconcile started', 'reconcile finished', 'stop resolved']);
    assert.ok(signalAborted, 'the reconcile in flight saw its signal aborted');
  });

  it('reconciles the owner when an owned or labelled object changes, and again when asked to requeue', async () => {
    const configMaps = createInformer(client, { resource: configMapResource, namespace, labelSelector: 'test=owned' });
    stoppables.push(configMaps);
    const calls: string[] = [];
    const owner = await widgets.create('owner');
    await controller({
      for: widgetInformer(),
      watches: [
        { informer: configMaps, keysOf: keysFromController({ group: 'kube-test.nightshift.dev', kind: 'Widget' }) },
        { informer: configMaps, keysOf: keysFromLabel('kube-test.nightshift.dev/widget') },
      ],
      reconcile: async (key) => {
        calls.push(key);
        // The first reconcile of "owner" asks to be looked at again shortly.
        return calls.length === 1 ? { requeueAfterMs: 100 } : undefined;
      },
    }).start();

    const ownerKey = `${namespace}/owner`;
    await eventually('the initial reconcile and its requeue', () => calls.filter((k) => k === ownerKey).length === 2);
    const createConfigMap = (metadata: Record<string, unknown>) =>
      client.request(HttpMethod.POST, resourcePath(configMapResource, { namespace }), { body: { metadata } });
    await createConfigMap({ name: 'owned', labels: { test: 'owned' }, ownerReferences: [ownerReference(owner)] });
    await eventually('a reconcile of the owner', () => calls.filter((k) => k === ownerKey).length === 3);
    await createConfigMap({
      name: 'labelled',
      labels: { test: 'owned', 'kube-test.nightshift.dev/widget': 'elsewhere' },
    });
    await eventually('a reconcile of the labelled primary', () => calls.includes(`${namespace}/elsewhere`));
  });
});
