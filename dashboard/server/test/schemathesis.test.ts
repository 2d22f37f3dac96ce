// A property-based run from the OpenAPI document: schemathesis (from PyPI,
// pinned, in a venv under the cache) generates requests for every operation
// against a real dashboard process and checks each response — no 5xx, every
// status and content type documented, every body matching its schema.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installCRDs, localCluster, testDatabase, testNamespace } from '../../../hack/test/harness.ts';
import { DashboardProcess } from './support/dashboard-process.ts';

const exec = promisify(execFile);
const SCHEMATHESIS_VERSION = '4.32.5';
const VENV = join(
  process.env.NIGHTSHIFT_CACHE ?? join(homedir(), '.cache', 'nightshift'),
  `venv-schemathesis-${SCHEMATHESIS_VERSION}`,
);
const CLI = join(VENV, 'bin', 'schemathesis');

async function ensureSchemathesis(): Promise<string> {
  if (existsSync(CLI)) return CLI;
  await exec('python3', ['-m', 'venv', VENV]);
  await exec(join(VENV, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return CLI;
}

describe('dashboard API: property-based run from its OpenAPI document (schemathesis)', function () {
  this.timeout(20 * 60_000);
  let dashboard: DashboardProcess;
  let namespace: string;

  before(async function () {
    this.timeout(20 * 60_000);
    const cluster = await localCluster();
    await installCRDs();
    namespace = await testNamespace('dash-fuzz');
    const items = [
      {
        apiVersion: 'nightshift.dev/v1alpha1',
        kind: 'WorkQueue',
        metadata: { name: 'nightly', namespace },
        spec: { budgetRef: 'team' },
      },
      {
        apiVersion: 'nightshift.dev/v1alpha1',
        kind: 'Budget',
        metadata: { name: 'team', namespace },
        spec: { dailyLimitUSD: 5 },
      },
      {
        apiVersion: 'nightshift.dev/v1alpha1',
        kind: 'StoryRun',
        metadata: { name: 'fuzzed', namespace },
        spec: {
          story: { id: 'FUZZ-1', title: 'a story to look at' },
          repository: { url: 'http://127.0.0.1:9/x.git' },
          queueRef: 'nightly',
        },
      },
    ];
    await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
    await ensureSchemathesis();
    dashboard = await DashboardProcess.startReady({
      kubeconfig: cluster.kubeconfigPath,
      databaseURL: await testDatabase('dash_fuzz'),
      namespace,
      env: { NIGHTSHIFT_DASHBOARD_AUTH_FAILURES: '100000' },
    });
  });
  after(() => dashboard?.stop());

  it('finds no server error and no response outside the documented schemas', async () => {
    const token = dashboard.firstToken()!;
    const response = await fetch(`${dashboard.url}/api/openapi.json`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 200);
    const dir = mkdtempSync(join(tmpdir(), 'schemathesis-'));
    const schema = join(dir, 'openapi.json');
    writeFileSync(schema, await response.text());
    // Path parameters that name the objects the test made, so most requests reach past the 404 of an unknown object.
    const config = join(dir, 'schemathesis.toml');
    writeFileSync(
      config,
      [
        ['^/api/stories/', 'fuzzed'],
        ['^/api/queues/', 'nightly'],
        ['^/api/budgets/', 'team'],
      ]
        .map(
          ([path, name]) =>
            `[[operations]]\ninclude-path-regex = "${path}"\nparameters = { "path.namespace" = "${namespace}", "path.name" = "${name}" }\n`,
        )
        .join('\n'),
    );
    const args = [
      '--config-file',
      config,
      'run',
      schema,
      '--url',
      dashboard.url,
      '-H',
      `Authorization: Bearer ${token}`,
      '--checks',
      'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
      '--phases',
      'examples,coverage,fuzzing',
      '--max-examples',
      process.env.NIGHTSHIFT_FUZZ_EXAMPLES ?? '30',
      '--workers',
      '2',
      '--request-timeout',
      '30',
      '--seed',
      '11',
      '--exclude-path',
      '/api/events', // the WebSocket: a plain GET is documented as 426; its messages are tested over a socket
      '--no-color',
    ];
    const result = await exec(CLI, args, {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, SCHEMATHESIS_HOOKS: '' },
    }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: `${e.stdout}${e.stderr}` }),
    );
    const summary = result.out
      .split('\n')
      .filter((l) => /passed|failed|errored|Test cases|operations/i.test(l))
      .slice(-8)
      .join('\n');
    console.log(`      schemathesis ${SCHEMATHESIS_VERSION}:\n${summary.replace(/^/gm, '        ')}`);
    assert.equal(
      result.code,
      0,
      `schemathesis found problems:\n${result.out.slice(-12_000)}\n--- dashboard ---\n${dashboard.tail(20)}`,
    );
  });
});
