// Status writes through the status subresource: spec and generation stay, a
// concurrent spec change is not clobbered, fields not named are kept, and
// conditions keep their transition time across writes that do not flip them.
import assert from 'node:assert/strict';
import { testNamespace } from '../../hack/test/harness.ts';
import {
  findCondition,
  patchStatus,
  setCondition,
  statusEqual,
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

  it('writes status through the subresource without touching spec or generation, even from a stale view', async () => {
    const stale = await widgets.create('w', { priority: 1 });
    assert.equal(stale.metadata?.generation, 1);
    // Someone changes the spec after we read the object.
    await widgets.setPriority('w', 2);

    const written = await patchStatus<Widget>(
      client,
      widgetResource,
      { namespace, name: 'w' },
      {
        phase: 'Running',
        observedGeneration: stale.metadata!.generation,
      },
    );
    assert.deepEqual(written.status, { phase: 'Running', observedGeneration: 1 });
    const stored = await widgets.read('w');
    assert.equal(stored.spec.priority, 2, 'the newer spec survives: no resourceVersion, no clobbering');
    assert.equal(stored.metadata?.generation, 2, 'only the spec change moved the generation');
    assert.deepEqual(stored.status, { phase: 'Running', observedGeneration: 1 });
  });

  it('merges: fields it does not name are kept, null removes one', async () => {
    await widgets.create('w');
    const at = { namespace, name: 'w' };
    await patchStatus(client, widgetResource, at, { phase: 'Running', message: 'started' });
    await patchStatus(client, widgetResource, at, { message: 'still going' });
    assert.deepEqual((await widgets.read('w')).status, { phase: 'Running', message: 'still going' });
    await patchStatus(client, widgetResource, at, { message: null });
    assert.deepEqual((await widgets.read('w')).status, { phase: 'Running' });
  });

  it('keeps lastTransitionTime while the condition status holds, and round-trips so equal statuses compare equal', async () => {
    await widgets.create('w');
    const at = { namespace, name: 'w' };
    const write = async (conditions: Condition[]) => {
      await patchStatus(client, widgetResource, at, { conditions });
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
      patchStatus(client, widgetResource, { namespace, name: 'missing' }, { phase: 'Running' }),
      new RegExp(`failed to write the status of widgets.kube-test.nightshift.dev ${namespace}/missing: .*404`),
    );
  });
});
