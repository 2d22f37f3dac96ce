// Finalizers are added and removed without dropping another writer's, even
// from a stale copy; and an owner reference makes the garbage collector
// delete the owned object with its owner.
import assert from 'node:assert/strict';
import { HttpMethod } from '@kubernetes/client-node';
import { eventually, testNamespace } from '../../hack/test/harness.ts';
import {
  addFinalizer,
  hasFinalizer,
  isNotFound,
  ownerReference,
  removeFinalizer,
  resourcePath,
  type RestClient,
} from '../src/kube/index.ts';
import { clusterWithWidgets, widgetResource, widgetsIn } from './kube-fixtures.ts';

const MINE = 'kube-test.nightshift.dev/cleanup';
const THEIRS = 'example.com/other';

describe('kube finalizers and owners', function () {
  let client: RestClient;
  let namespace: string;
  let widgets: ReturnType<typeof widgetsIn>;

  before(async function () {
    this.timeout(30 * 60_000);
    ({ client } = await clusterWithWidgets());
  });

  beforeEach(async () => {
    namespace = await testNamespace('kube-finalizers');
    widgets = widgetsIn(client, namespace);
  });

  it('adds a finalizer once, keeping one another writer added to a newer version', async () => {
    const stale = await widgets.create('w');
    await widgets.patch('w', { metadata: { finalizers: [THEIRS] } });

    const updated = await addFinalizer(client, widgetResource, stale, MINE);
    assert.deepEqual(updated.metadata?.finalizers, [THEIRS, MINE]);
    const again = await addFinalizer(client, widgetResource, updated, MINE);
    assert.deepEqual(again.metadata?.finalizers, [THEIRS, MINE], 'adding it again changes nothing');
    assert.ok(hasFinalizer(again, MINE));
    await widgets.patch('w', { metadata: { finalizers: null } });
  });

  it('removes only its own finalizer, also when the list moved since it was read', async () => {
    await widgets.create('w');
    const stale = await widgets.patch('w', { metadata: { finalizers: [THEIRS, MINE] } });
    // Another writer reorders the list: our finalizer is no longer where the stale copy says.
    await widgets.patch('w', { metadata: { finalizers: [MINE, 'example.com/third', THEIRS] } });

    const updated = await removeFinalizer(client, widgetResource, stale, MINE);
    assert.deepEqual(updated?.metadata?.finalizers, ['example.com/third', THEIRS]);
    await widgets.patch('w', { metadata: { finalizers: null } });
  });

  it('lets a deleted object go once its last finalizer is removed, and refuses a new one meanwhile', async () => {
    const created = await widgets.create('w');
    const withFinalizer = await addFinalizer(client, widgetResource, created, MINE);
    await widgets.remove('w');
    const deleting = await widgets.read('w');
    assert.ok(deleting.metadata?.deletionTimestamp, 'the finalizer holds the object');

    await assert.rejects(
      addFinalizer(client, widgetResource, deleting, THEIRS),
      new RegExp(
        `failed to add finalizer ${THEIRS} to widgets.kube-test.nightshift.dev ${namespace}/w: PATCH .*: 422 .*no new finalizers can be added if the object is being deleted`,
      ),
    );
    await removeFinalizer(client, widgetResource, withFinalizer, MINE);
    await assert.rejects(widgets.read('w'), (error: unknown) => isNotFound(error));
    assert.equal(await removeFinalizer(client, widgetResource, withFinalizer, MINE), undefined, 'gone: nothing to do');
  });

  it('builds owner references the garbage collector follows', async () => {
    const owner = await widgets.create('owner');
    const configMaps = resourcePath(
      { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' },
      { namespace },
    );
    await client.request(HttpMethod.POST, configMaps, {
      body: { metadata: { name: 'owned', ownerReferences: [ownerReference(owner)] } },
    });
    await widgets.remove('owner');
    await eventually('the garbage collector to delete the owned config map', async () => {
      try {
        await client.get(`${configMaps}/owned`);
        return undefined;
      } catch (error) {
        return isNotFound(error) ? true : undefined;
      }
    });
  });
});
