// Status writes through the status subresource, optimistically: spec and
// generation stay, a status computed from a stale view is refused (so it can
// be recomputed), the status is replaced whole, and conditions keep their
// transition time across writes that do not flip them.
import assert from 'node:assert/strict';
import { testNamespace } from '../../hack/test/harness.ts';
import {
  findCondition,
  isStaleWrite,
  setCondition,
  statusEqual,
  writeStatus,
  type Condition,
  type RestClient,
} from '../src/kube/index.ts';
import { clusterWithWidgets, widgetResource, widgetsIn, type Widget } from './kube-fixtures.ts';

describe('kube status writer', function () {
  let client: RestClient;
  let namespace: string;
  let widgets: ReturnType<typeof widgetsIn>;

  before(async function () {
    this.timeout(30 * 60_000);
    ({ client } = await clusterWithWidgets());
  });

  beforeEach(async () => {
    namespace = await testNamespace('kube-status');
    widgets = widgetsIn(client, namespace);
  });

  it('writes status through the subresource without touching spec or generation', async () => {
    const created = await widgets.create('w', { priority: 1 });
    const written = await writeStatus<Widget>(client, widgetResource, created, {
      phase: 'Running',
      observedGeneration: created.metadata!.generation,
    });
    assert.deepEqual(written.status, { phase: 'Running', observedGeneration: 1 });
    const stored = await widgets.read('w');
    assert.equal(stored.spec.priority, 1);
    assert.equal(stored.metadata?.generation, 1, 'a status write does not move the generation');
  });

  it('refuses a status computed from a stale view, so the newer object is read again', async () => {
    const stale = await widgets.create('w', { priority: 1 });
    await widgets.setPriority('w', 2); // someone changes the spec after we read the object
    const error = await writeStatus(client, widgetResource, stale, { phase: 'Running' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error, 'the stale write was refused');
    assert.ok(isStaleWrite(error), String(error));
    const fresh = await widgets.read('w');
    assert.equal(fresh.status, undefined, 'nothing was written');
    await writeStatus(client, widgetResource, fresh, { phase: 'Running', observedGeneration: 2 });
    assert.deepEqual((await widgets.read('w')).status, { phase: 'Running', observedGeneration: 2 });
  });

  it('replaces the status whole: a field it leaves out is gone', async () => {
    const created = await widgets.create('w');
    const first = await writeStatus<Widget>(client, widgetResource, created, { phase: 'Running', message: 'started' });
    await writeStatus(client, widgetResource, first, { phase: 'Running' });
    assert.deepEqual((await widgets.read('w')).status, { phase: 'Running' });
  });

  it('keeps lastTransitionTime while the condition status holds, and round-trips so equal statuses compare equal', async () => {
    await widgets.create('w');
    const write = async (conditions: Condition[]) => {
      await writeStatus(client, widgetResource, await widgets.read('w'), { conditions });
      return (await widgets.read('w')).status as { conditions: Condition[] };
    };

    const first = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'Starting', observedGeneration: 1 },
      new Date('2026-11-25T10:00:00.5Z'),
    );
    const stored1 = await write(first);
    // What the server returns equals what we computed, so a reconciler can skip the next write.
    assert.ok(statusEqual(stored1, { conditions: first }), JSON.stringify(stored1));

    const second = setCondition(
      stored1.conditions,
      { type: 'Ready', status: 'False', reason: 'Waiting', message: 'pod pending', observedGeneration: 1 },
      new Date('2026-11-25T10:05:00Z'),
    );
    const stored2 = await write(second);
    assert.equal(findCondition(stored2.conditions, 'Ready')?.reason, 'Waiting');
    assert.equal(findCondition(stored2.conditions, 'Ready')?.lastTransitionTime, '2026-11-25T10:00:00Z');

    const third = setCondition(
      stored2.conditions,
      { type: 'Ready', status: 'True', reason: 'Running', observedGeneration: 1 },
      new Date('2026-11-25T10:07:00Z'),
    );
    const stored3 = await write(third);
    assert.equal(findCondition(stored3.conditions, 'Ready')?.lastTransitionTime, '2026-11-25T10:07:00Z');
    assert.equal(stored3.conditions.length, 1);
  });

  it('names the object when a write fails', async () => {
    await assert.rejects(
      writeStatus(
        client,
        widgetResource,
        { metadata: { namespace, name: 'missing', resourceVersion: '1' } },
        {
          phase: 'Running',
        },
      ),
      new RegExp(`failed to write the status of widgets.kube-test.nightshift.dev ${namespace}/missing: .*404`),
    );
  });
});
