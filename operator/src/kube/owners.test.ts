import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import { controllerOf, isControlledBy, keysFromController, keysFromLabel, ownerReference } from './owners.ts';

const owner: KubernetesObject = {
  apiVersion: 'nightshift.dev/v1alpha1',
  kind: 'StoryRun',
  metadata: { name: 'fix-login', namespace: 'team-a', uid: 'uid-1' },
};

describe('owners', () => {
  it('builds a controller reference that blocks owner deletion', () => {
    assert.deepEqual(ownerReference(owner), {
      apiVersion: 'nightshift.dev/v1alpha1',
      kind: 'StoryRun',
      name: 'fix-login',
      uid: 'uid-1',
      controller: true,
      blockOwnerDeletion: true,
    });
  });

  it('refuses an owner without a uid (one that was never stored)', () => {
    assert.throws(() => ownerReference({ ...owner, metadata: { name: 'fix-login' } }), /metadata.uid are required/);
  });

  it('maps an owned object to its controller of the right group and kind, in its own namespace', () => {
    const pod: KubernetesObject = {
      metadata: {
        name: 'fix-login-1',
        namespace: 'team-a',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'other', uid: 'uid-0' },
          { ...ownerReference(owner), apiVersion: 'nightshift.dev/v2' },
        ],
      },
    };
    assert.equal(controllerOf(pod)?.name, 'fix-login');
    assert.ok(isControlledBy(pod, owner));
    assert.deepEqual(keysFromController({ group: 'nightshift.dev', kind: 'StoryRun' })(pod), ['team-a/fix-login']);
    assert.deepEqual(keysFromController({ group: 'other.dev', kind: 'StoryRun' })(pod), []);
    assert.deepEqual(keysFromController({ group: 'nightshift.dev', kind: 'Budget' })(pod), []);
  });

  it('ignores owner references that are not the controller', () => {
    const pod: KubernetesObject = {
      metadata: { name: 'p', namespace: 'team-a', ownerReferences: [{ ...ownerReference(owner), controller: false }] },
    };
    assert.equal(controllerOf(pod), undefined);
    assert.ok(!isControlledBy(pod, owner));
    assert.deepEqual(keysFromController({ group: 'nightshift.dev', kind: 'StoryRun' })(pod), []);
  });

  it('maps an object to the primary named in a label', () => {
    const byLabel = keysFromLabel('nightshift.dev/storyrun');
    assert.deepEqual(
      byLabel({ metadata: { name: 'p', namespace: 'team-a', labels: { 'nightshift.dev/storyrun': 'x' } } }),
      ['team-a/x'],
    );
    assert.deepEqual(byLabel({ metadata: { name: 'p', namespace: 'team-a' } }), []);
  });
});
