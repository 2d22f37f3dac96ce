import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import { podView, volumeView } from './observe.ts';
import { trimClaim, trimPod, trimStoryRun } from './cache.ts';

const pod = (): k8s.V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 's-1',
    namespace: 'ns',
    uid: 'pod-uid',
    resourceVersion: '42',
    labels: { 'nightshift.dev/attempt': '1', 'nightshift.dev/mode': 'run', 'nightshift.dev/storyrun-uid': 'u' },
    annotations: { 'nightshift.dev/session-id': 'sess' },
    ownerReferences: [
      { apiVersion: 'nightshift.dev/v1alpha1', kind: 'StoryRun', name: 's', uid: 'u', controller: true },
    ],
    creationTimestamp: '2026-12-02T10:00:00Z' as unknown as Date,
    deletionTimestamp: '2026-12-02T10:05:00Z' as unknown as Date,
    deletionGracePeriodSeconds: 300,
  },
  spec: { containers: [{ name: 'runner', image: 'runner', env: [{ name: 'X', value: 'x'.repeat(10_000) }] }] },
  status: {
    phase: 'Failed',
    reason: 'Evicted',
    podIP: '10.0.0.1',
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [
      {
        name: 'runner',
        image: 'runner',
        imageID: 'sha256:abc',
        ready: false,
        restartCount: 0,
        state: {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            message: '{"error":"boom"}',
            finishedAt: '2026-12-02T10:04:00Z' as unknown as Date,
          },
        },
      },
    ],
    initContainerStatuses: [
      {
        name: 'prepare-worktree',
        image: 'runner',
        imageID: '',
        ready: true,
        restartCount: 0,
        state: { terminated: { exitCode: 0 } },
      },
    ],
  },
});

describe('cache transforms', () => {
  it('a trimmed pod observes exactly like the full one, and is much smaller', () => {
    const full = pod();
    const trimmed = pod();
    trimPod(trimmed);
    assert.deepEqual(podView(trimmed), podView(full));
    assert.ok(JSON.stringify(trimmed).length * 10 < JSON.stringify(full).length, JSON.stringify(trimmed));
    assert.equal(
      trimmed.metadata?.ownerReferences?.[0]?.uid,
      'u',
      'owner references stay (events map to the StoryRun)',
    );
    assert.equal(trimmed.metadata?.resourceVersion, '42');
  });

  it('a trimmed claim keeps its name and phase', () => {
    const claim: k8s.V1PersistentVolumeClaim = {
      metadata: { name: 's-worktree', namespace: 'ns', uid: 'c', resourceVersion: '7', annotations: { a: 'b' } },
      spec: { accessModes: ['ReadWriteOnce'], volumeName: 'pv-1' },
      status: { phase: 'Bound', capacity: { storage: '1Gi' } },
    };
    const before = volumeView(structuredClone(claim));
    trimClaim(claim);
    assert.deepEqual(volumeView(claim), before);
    assert.deepEqual(claim.status, { phase: 'Bound' });
  });

  it("drops kubectl's last-applied copy of a StoryRun, keeping its other annotations", () => {
    const sr = {
      apiVersion: 'nightshift.dev/v1alpha1',
      kind: 'StoryRun',
      metadata: { name: 's', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{...}', keep: 'me' } },
    };
    trimStoryRun(sr);
    assert.deepEqual(sr.metadata.annotations, { keep: 'me' });
  });
});
