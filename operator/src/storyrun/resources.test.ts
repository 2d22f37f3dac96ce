import assert from 'node:assert/strict';
import { storyRunSchema } from '@nightshift/crds';
import { loadConfig } from '../config/load.ts';
import { podNameFor, storyPod, volumeNameFor } from './resources.ts';

const storyRun = storyRunSchema.parse({
  apiVersion: 'nightshift.dev/v1alpha1',
  kind: 'StoryRun',
  metadata: { name: 'fix-login', namespace: 'team-a', uid: '1234', generation: 2 },
  spec: {
    story: { id: 'T-1', title: 'Fix login' },
    repository: { url: 'https://github.com/o/r.git', credentialsSecretRef: { name: 'gh' } },
    agent: { backend: 'langchain', model: 'claude-x', credentialsSecretRef: { name: 'llm', key: 'anthropic' } },
  },
});

describe('story pod', () => {
  const pod = storyPod(storyRun, { attempt: 2, mode: 'run', sessionId: 'sess' }, loadConfig({ env: {} }));
  const env = Object.fromEntries(pod.spec!.containers[0]!.env!.map((e) => [e.name, e]));

  it('carries the StoryRun identity and the attempt', () => {
    assert.equal(pod.metadata!.name, 'fix-login-2');
    assert.equal(pod.metadata!.labels!['nightshift.dev/storyrun-uid'], '1234');
    const snapshot = JSON.parse(env.NIGHTSHIFT_STORYRUN!.value!);
    assert.equal(snapshot.metadata.uid, '1234');
    assert.equal(snapshot.spec.story.id, 'T-1');
    assert.equal(env.NIGHTSHIFT_SESSION_ID!.value, 'sess');
  });

  it('takes credentials from Secrets, never from literals', () => {
    assert.deepEqual(env.DATABASE_URL!.valueFrom!.secretKeyRef, {
      name: 'nightshift-database',
      key: 'url',
      optional: false,
    });
    assert.deepEqual(env.NIGHTSHIFT_GIT_TOKEN!.valueFrom!.secretKeyRef, { name: 'gh', key: 'token', optional: false });
    assert.deepEqual(env.NIGHTSHIFT_AGENT_API_KEY!.valueFrom!.secretKeyRef, {
      name: 'llm',
      key: 'anthropic',
      optional: false,
    });
  });

  it('runs as a non-root user without a service account token, never restarted in place', () => {
    assert.equal(pod.spec!.restartPolicy, 'Never');
    assert.equal(pod.spec!.automountServiceAccountToken, false);
    assert.equal(pod.spec!.securityContext!.runAsNonRoot, true);
    assert.equal(pod.metadata!.ownerReferences![0]!.controller, true);
  });

  it('mounts the worktree claim', () => {
    assert.equal(pod.spec!.volumes![0]!.persistentVolumeClaim!.claimName, 'fix-login-worktree');
  });
});

describe('resource names', () => {
  it('stay within 63 characters and unique for long StoryRun names', () => {
    const long = 'a'.repeat(70);
    const names = [
      podNameFor(long, 1, 'run'),
      podNameFor(long, 12, 'run'),
      podNameFor(long, 1, 'salvage'),
      volumeNameFor(long),
    ];
    for (const name of names) assert.ok(name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name), name);
    assert.equal(new Set(names).size, names.length);
  });
});
