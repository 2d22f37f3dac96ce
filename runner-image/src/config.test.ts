import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { parseConfig, secretsOf } from './config.ts';

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
  NIGHTSHIFT_STORYRUN: JSON.stringify(storyRun),
  NIGHTSHIFT_SESSION_ID: randomUUID(),
  NIGHTSHIFT_ATTEMPT: '2',
  NIGHTSHIFT_MODE: 'run',
  DATABASE_URL: 'postgres://nightshift:s3cr3t-pw-0123@db:5432/nightshift',
  ...overrides,
});

describe('runner configuration', () => {
  it('parses the contract environment with the StoryRun schema and defaults', () => {
    const config = parseConfig(
      env({
        NIGHTSHIFT_GIT_TOKEN: 'ghp_token0123456789',
        NIGHTSHIFT_AGENT_API_KEY: 'short',
        NIGHTSHIFT_DASHBOARD_URL: '',
      }),
    );
    assert.equal(config.attempt, 2);
    assert.equal(config.storyRun.spec.agent.backend, 'scripted');
    assert.equal(config.storyRun.spec.repository.baseBranch, 'main');
    assert.equal(config.workspace, '/workspace');
    assert.equal(config.dashboardURL, undefined);
    assert.deepEqual(config.gitAuthor, { name: 'Nightshift', email: 'nightshift@localhost' });
    assert.deepEqual(secretsOf(config), ['ghp_token0123456789', 's3cr3t-pw-0123']);
  });

  it('names the variable that is missing or wrong', () => {
    assert.throws(() => parseConfig(env({ NIGHTSHIFT_SESSION_ID: undefined })), /NIGHTSHIFT_SESSION_ID/);
    assert.throws(() => parseConfig(env({ NIGHTSHIFT_MODE: 'walk' })), /NIGHTSHIFT_MODE/);
    assert.throws(() => parseConfig(env({ NIGHTSHIFT_STORYRUN: '{not json' })), /NIGHTSHIFT_STORYRUN: not JSON/);
    assert.throws(
      () =>
        parseConfig(
          env({
            NIGHTSHIFT_STORYRUN: JSON.stringify({
              ...storyRun,
              spec: { ...storyRun.spec, story: { id: 'bad id!', title: 'x' } },
            }),
          }),
        ),
      /NIGHTSHIFT_STORYRUN \(at spec\.story\.id\)/,
    );
    assert.throws(
      () => parseConfig(env({ NIGHTSHIFT_MODEL_PRICES: '{"m": {"input_mtok": "cheap"}}' })),
      /NIGHTSHIFT_MODEL_PRICES/,
    );
    assert.throws(
      () => parseConfig(env({ NIGHTSHIFT_GIT_AUTHOR: 'nobody' })),
      /NIGHTSHIFT_GIT_AUTHOR: expected "Name <email>"/,
    );
  });

  it('reads per-model price overrides and a configured author', () => {
    const config = parseConfig(
      env({
        NIGHTSHIFT_MODEL_PRICES: '{"acme-1": {"input_mtok": 1, "output_mtok": 2}}',
        NIGHTSHIFT_GIT_AUTHOR: 'Release Bot <bot@acme.io>',
      }),
    );
    assert.deepEqual(config.modelPrices, { 'acme-1': { input_mtok: 1, output_mtok: 2 } });
    assert.deepEqual(config.gitAuthor, { name: 'Release Bot', email: 'bot@acme.io' });
  });
});
