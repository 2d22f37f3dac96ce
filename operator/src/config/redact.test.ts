import assert from 'node:assert/strict';
import { REDACTED, redactConfig } from './redact.ts';

describe('redactConfig', () => {
  const cases: { name: string; input: unknown; expected: unknown }[] = [
    {
      name: 'hides the password of a database URL, keeps the rest',
      input: { database: { url: 'postgres://nightshift:s3cret@db:5432/ns' } },
      expected: { database: { url: 'postgres://nightshift:***@db:5432/ns' } },
    },
    {
      name: 'replaces values whose key names a secret, at any depth',
      input: { runner: { env: { GITHUB_TOKEN: 'ghp_x', ANTHROPIC_API_KEY: 'sk-y', NIGHTSHIFT_LOG_LEVEL: 'debug' } } },
      expected: {
        runner: { env: { GITHUB_TOKEN: REDACTED, ANTHROPIC_API_KEY: REDACTED, NIGHTSHIFT_LOG_LEVEL: 'debug' } },
      },
    },
    {
      name: 'keeps references that say where a secret is (an object under a secret-like key)',
      input: { runner: { databaseSecret: { name: 'nightshift-database', key: 'url' } } },
      expected: { runner: { databaseSecret: { name: 'nightshift-database', key: 'url' } } },
    },
    {
      name: 'keeps URLs without credentials, numbers, booleans and empty values',
      input: { dashboardURL: 'http://127.0.0.1:8090', workers: 8, hostNetwork: true, token: '', list: ['a'] },
      expected: { dashboardURL: 'http://127.0.0.1:8090', workers: 8, hostNetwork: true, token: '', list: ['a'] },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(redactConfig(c.input), c.expected));

  it('does not change its input', () => {
    const input = { database: { url: 'postgres://u:p@h/d' } };
    redactConfig(input);
    assert.equal(input.database.url, 'postgres://u:p@h/d');
  });
});
