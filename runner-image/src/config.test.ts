import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { RUNNER_ENV } from '@nightshift/crds/contract';
import { parseEnvironment, parseSnapshot, secretsOf } from './config.ts';

const storyRun = {
  apiVersion: 'nightshift.dev/v1alpha1',
  kind: 'StoryRun',
  metadata: { name: 'hello', namespace: 'default', uid: randomUUID(), generation: 1 },
  spec: {
    story: { id: 'DEMO-1', title: 'Greet by name' },
    repository: { url: 'https://github.com/acme/hello.git' },
  },
};

const env = (overrides: Record<string, string | undefined> = {}) => ({
  [RUNNER_ENV.sessionId]: randomUUID(),
  [RUNNER_ENV.attempt]: '2',
  [RUNNER_ENV.mode]: 'run',
  [RUNNER_ENV.databaseURL]: 'postgres://nightshift:s3cr3t-pw-0123@db:5432/nightshift',
  ...overrides,
});

describe('runner configuration', () => {
  it('parses the contract environment with its defaults', () => {
    const config = parseEnvironment(
      env({
        [RUNNER_ENV.gitToken]: 'ghp_token0123456789',
        [RUNNER_ENV.agentApiKey]: 'short',
        [RUNNER_ENV.dashboardURL]: '',
      }),
    );
    assert.equal(config.attempt, 2);
    assert.equal(config.mode, 'run');
    assert.equal(config.workspace, '/workspace');
    assert.equal(config.dashboardURL, undefined);
    assert.deepEqual(config.gitAuthor, { name: 'Nightshift', email: 'nightshift@localhost' });
    assert.deepEqual(secretsOf(config), ['ghp_token0123456789', 's3cr3t-pw-0123']);
  });

  it('names the variable that is missing or wrong', () => {
    assert.throws(() => parseEnvironment(env({ [RUNNER_ENV.sessionId]: undefined })), /NIGHTSHIFT_SESSION_ID/);
    assert.throws(() => parseEnvironment(env({ [RUNNER_ENV.mode]: 'walk' })), /NIGHTSHIFT_MODE/);
    assert.throws(
      () => parseEnvironment(env({ [RUNNER_ENV.modelPrices]: '{"m": {"input_mtok": "cheap"}}' })),
      /NIGHTSHIFT_MODEL_PRICES/,
    );
    assert.throws(
      () => parseEnvironment(env({ [RUNNER_ENV.gitAuthor]: 'nobody' })),
      /NIGHTSHIFT_GIT_AUTHOR: expected "Name <email>"/,
    );
  });

  it('parses the StoryRun snapshot from the attempt record with the StoryRun schema and its defaults', () => {
    const snapshot = parseSnapshot(storyRun, 'sess-1');
    assert.equal(snapshot.spec.agent.backend, 'scripted');
    assert.equal(snapshot.spec.repository.baseBranch, 'main');
    assert.equal(snapshot.metadata.uid, storyRun.metadata.uid);
  });

  it('names the column, the row and the field of a snapshot that does not parse', () => {
    const bad = { ...storyRun, spec: { ...storyRun.spec, story: { id: 'bad id!', title: 'x' } } };
    assert.throws(
      () => parseSnapshot(bad, 'sess-1'),
      /execution_sessions\.storyrun of row sess-1 \(at spec\.story\.id\)/,
    );
    assert.throws(() => parseSnapshot(null, 'sess-2'), /execution_sessions\.storyrun of row sess-2 is empty/);
  });

  it('reads per-model price overrides and a configured author', () => {
    const config = parseEnvironment(
      env({
        [RUNNER_ENV.modelPrices]: '{"acme-1": {"input_mtok": 1, "output_mtok": 2}}',
        [RUNNER_ENV.gitAuthor]: 'Release Bot <bot@acme.io>',
      }),
    );
    assert.deepEqual(config.modelPrices, { 'acme-1': { input_mtok: 1, output_mtok: 2 } });
    assert.deepEqual(config.gitAuthor, { name: 'Release Bot', email: 'bot@acme.io' });
  });
});
