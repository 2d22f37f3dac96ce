import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './load.ts';

const file = (yaml: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'ns-config-')), 'operator.yaml');
  writeFileSync(path, yaml);
  return path;
};

describe('loadConfig', () => {
  it('fills every default from the schema', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.http.port, 8080);
    assert.equal(config.runner.gracefulStopSeconds, 300);
    assert.equal(config.workspace.volume, 'PersistentVolumeClaim');
    assert.equal(config.leaderElection.enabled, true);
  });

  it('lets the environment override the file', () => {
    const config = loadConfig({
      file: file('http: { port: 9000 }\nrunner: { image: from-file }\n'),
      env: { NIGHTSHIFT_RUNNER_IMAGE: 'from-env', NIGHTSHIFT_NAMESPACES: 'a, b' },
    });
    assert.equal(config.http.port, 9000);
    assert.equal(config.runner.image, 'from-env');
    assert.deepEqual(config.namespaces, ['a', 'b']);
  });

  it('names the field and the file of a bad value', () => {
    const path = file('workspace: { size: lots }\n');
    assert.throws(
      () => loadConfig({ file: path, env: {} }),
      (error: Error) =>
        error instanceof ConfigError &&
        error.message.includes(`workspace.size (in ${path}): must be a Kubernetes quantity`),
    );
  });

  it('names the environment variable of a bad value', () => {
    assert.throws(
      () => loadConfig({ env: { NIGHTSHIFT_HTTP_PORT: 'eighty' } }),
      /NIGHTSHIFT_HTTP_PORT="eighty" is not a number/,
    );
    assert.throws(
      () => loadConfig({ env: { NIGHTSHIFT_HTTP_PORT: '70000' } }),
      /http\.port \(from NIGHTSHIFT_HTTP_PORT\)/,
    );
  });

  it('checks fields against each other', () => {
    assert.throws(
      () =>
        loadConfig({ file: file('leaderElection: { leaseDurationSeconds: 5, renewDeadlineSeconds: 8 }\n'), env: {} }),
      /leaderElection\.renewDeadlineSeconds .*must be less than leaseDurationSeconds/,
    );
  });

  it('refuses a file that is not YAML', () => {
    assert.throws(() => loadConfig({ file: file('runner: [unclosed\n'), env: {} }), /is not valid YAML/);
  });
});
