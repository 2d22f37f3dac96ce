import assert from 'node:assert/strict';
import { storyRunSchema } from '@nightshift/crds';
import { loadConfig } from '../config/load.ts';
import { RUNNER_ENV } from '@nightshift/crds/contract';
import { podNameFor, snapshotOf, storyPod, storyPodSettings, volumeNameFor } from './resources.ts';

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
  const pod = storyPod(
    storyRun,
    { attempt: 2, mode: 'run', sessionId: 'sess' },
    storyPodSettings(loadConfig({ env: {} })),
  );
  const env = Object.fromEntries(pod.spec!.containers[0]!.env!.map((e) => [e.name, e]));

  it('carries the StoryRun identity and the attempt', () => {
    assert.equal(pod.metadata!.name, 'fix-login-2');
    assert.equal(pod.metadata!.labels!['nightshift.dev/storyrun-uid'], '1234');
    assert.equal(env[RUNNER_ENV.sessionId]!.value, 'sess');
    assert.equal(env[RUNNER_ENV.attempt]!.value, '2');
    assert.equal(env[RUNNER_ENV.mode]!.value, 'run');
  });

  it('does not carry the StoryRun in the environment (the attempt record does): a large spec cannot overflow it', () => {
    const huge = storyRunSchema.parse({
      ...storyRun,
      spec: { ...storyRun.spec, story: { id: 'T-2', title: 'big', description: 'ü'.repeat(65_536) } },
    });
    const big = storyPod(
      huge,
      { attempt: 1, mode: 'run', sessionId: 'sess' },
      storyPodSettings(loadConfig({ env: {} })),
    );
    const bytes = Buffer.byteLength(JSON.stringify(big.spec!.containers[0]!.env));
    assert.ok(bytes < 4096, `the runner's environment is ${bytes} bytes`);
    assert.equal(snapshotOf(huge).spec.story.description.length, 65_536);
  });

  it('takes credentials from Secrets, never from literals', () => {
    assert.deepEqual(env[RUNNER_ENV.databaseURL]!.valueFrom!.secretKeyRef, {
      name: 'nightshift-database',
      key: 'url',
      optional: false,
    });
    assert.deepEqual(env[RUNNER_ENV.gitToken]!.valueFrom!.secretKeyRef, { name: 'gh', key: 'token', optional: false });
    assert.deepEqual(env[RUNNER_ENV.agentApiKey]!.valueFrom!.secretKeyRef, {
      name: 'llm',
      key: 'anthropic',
      optional: false,
    });
  });

  it('runs as a non-root user without a service account token, never restarted in place', () => {
    assert.equal(pod.spec!.restartPolicy, 'Never');
    assert.equal(pod.spec!.terminationGracePeriodSeconds, 10, 'a delete without our grace (GC, eviction) is short');
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
