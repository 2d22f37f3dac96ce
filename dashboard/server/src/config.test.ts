import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

describe('dashboard config', () => {
  it('needs only a database URL and has a default for everything else', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://db/n' });
    assert.equal(config.http.port, 8090);
    assert.equal(config.probes.port, 8091);
    assert.deepEqual(config.namespaces, []);
    assert.deepEqual(config.corsOrigins, [], 'CORS closed by default');
    assert.equal(config.bootstrapToken, true);
  });

  it('reads lists, numbers and booleans from the environment', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://db/n',
      NIGHTSHIFT_NAMESPACES: 'team-a, team-b',
      NIGHTSHIFT_DASHBOARD_PORT: '9000',
      NIGHTSHIFT_DASHBOARD_CORS_ORIGINS: 'https://dash.example',
      NIGHTSHIFT_DASHBOARD_TRUST_PROXY: 'yes',
      NIGHTSHIFT_DASHBOARD_HEARTBEAT_SECONDS: '2',
    });
    assert.deepEqual(config.namespaces, ['team-a', 'team-b']);
    assert.equal(config.http.port, 9000);
    assert.deepEqual(config.corsOrigins, ['https://dash.example']);
    assert.equal(config.trustProxy, true);
    assert.equal(config.heartbeatMs, 2000);
  });

  const bad: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['no database', {}, /DATABASE_URL: is required/],
    [
      'a port that is no number',
      { DATABASE_URL: 'x', NIGHTSHIFT_DASHBOARD_PORT: 'eighty' },
      /NIGHTSHIFT_DASHBOARD_PORT="eighty"/,
    ],
    [
      'a boolean that is not one',
      { DATABASE_URL: 'x', NIGHTSHIFT_DASHBOARD_TRUST_PROXY: 'maybe' },
      /NIGHTSHIFT_DASHBOARD_TRUST_PROXY="maybe": must be true or false/,
    ],
    [
      'a public URL that is none',
      { DATABASE_URL: 'x', NIGHTSHIFT_DASHBOARD_PUBLIC_URL: 'here' },
      /NIGHTSHIFT_DASHBOARD_PUBLIC_URL="here"/,
    ],
  ];
  for (const [what, env, message] of bad) {
    it(`names the variable: ${what}`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }
});
