// Events about an object show in `kubectl describe`, and a repeated event is
// one Event with a growing series count rather than many Events.
import assert from 'node:assert/strict';
import { eventually, testNamespace } from '../../hack/test/harness.ts';
import { EventRecorder } from '../src/kube/index.ts';
import { clusterWithWidgets, widgetsIn } from './kube-fixtures.ts';

describe('kube event recorder', function () {
  let cluster: Awaited<ReturnType<typeof clusterWithWidgets>>;
  let namespace: string;

  before(async function () {
    this.timeout(30 * 60_000);
    cluster = await clusterWithWidgets();
  });

  beforeEach(async () => {
    namespace = await testNamespace('kube-events');
  });

  interface StoredEvent {
    reason: string;
    note: string;
    type: string;
    series?: { count: number };
    reportingController: string;
    reportingInstance: string;
    regarding: { kind: string; name: string; uid: string };
  }

  const storedEvents = async () =>
    (
      JSON.parse(await cluster.kubectl(['get', 'events.events.k8s.io', '-n', namespace, '-o', 'json'])) as {
        items: StoredEvent[];
      }
    ).items;

  it('records events that kubectl describe lists, counting repeats in one Event', async () => {
    const widget = await widgetsIn(cluster.client, namespace).create('w');
    const recorder = new EventRecorder({ kc: cluster.kc, instance: 'test-replica' });
    for (let i = 0; i < 3; i++) await recorder.warning(widget, 'WidgetStuck', 'no progress for 10 minutes');
    await recorder.normal(widget, 'WidgetStarted', 'started on node-1');

    const events = await storedEvents();
    const stuck = events.filter((e) => e.reason === 'WidgetStuck');
    assert.equal(stuck.length, 1, 'three repeats make one Event');
    assert.equal(stuck[0]!.series?.count, 3);
    assert.equal(stuck[0]!.type, 'Warning');
    assert.equal(stuck[0]!.reportingController, 'nightshift.dev/operator');
    assert.equal(stuck[0]!.reportingInstance, 'test-replica');
    assert.deepEqual(
      { kind: stuck[0]!.regarding.kind, name: stuck[0]!.regarding.name, uid: stuck[0]!.regarding.uid },
      { kind: 'Widget', name: 'w', uid: widget.metadata!.uid },
    );

    const described = await eventually('kubectl describe to list both events', async () => {
      const text = await cluster.kubectl(['describe', 'widget', 'w', '-n', namespace]);
      return text.includes('WidgetStarted') ? text : undefined;
    });
    assert.match(
      described,
      /Warning\s+WidgetStuck\s+.*\(x3 over .*\)\s+nightshift.dev\/operator\s+no progress for 10 minutes/,
    );
    assert.match(described, /Normal\s+WidgetStarted\s+.*nightshift.dev\/operator\s+started on node-1/);
  });

  it('starts a new Event when the one it counted on is gone', async () => {
    const widget = await widgetsIn(cluster.client, namespace).create('w');
    const recorder = new EventRecorder({ kc: cluster.kc, instance: 'test-replica' });
    await recorder.warning(widget, 'WidgetStuck', 'again');
    await cluster.kubectl(['delete', 'events.events.k8s.io', '--all', '-n', namespace]);
    await recorder.warning(widget, 'WidgetStuck', 'again');
    const events = await storedEvents();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.series, undefined, 'a fresh Event, not a series of the deleted one');
  });

  it('rejects a reason that is not CamelCase, and never throws for a failed write', async () => {
    const recorder = new EventRecorder({ kc: cluster.kc, instance: 'test-replica' });
    const widget = await widgetsIn(cluster.client, namespace).create('w');
    await assert.rejects(recorder.normal(widget, 'not camel', 'x'), /must be a CamelCase word/);
    // An object in a namespace that does not exist: the write fails, the recorder only logs.
    const ghost = { ...widget, metadata: { ...widget.metadata, namespace: `${namespace}-missing` } };
    await recorder.normal(ghost, 'WidgetGhost', 'nobody hears this');
  });
});
