// The Helm chart renders, its values schema refuses bad values, the operator
// accepts the configuration it renders, and the API server accepts every
// object (server-side dry run on the local cluster).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../operator/src/config/load.ts';
import { REPO_ROOT, localCluster, testNamespace } from './harness.ts';

const exec = promisify(execFile);
const CHART = join(REPO_ROOT, 'charts', 'nightshift');

describe('Helm chart', function () {
  let helm: string;
  const template = async (...args: string[]) =>
    (await exec(helm, ['template', 'nightshift', CHART, '--namespace', 'nightshift-system', ...args])).stdout;

  before(async function () {
    this.timeout(10 * 60_000); // first run builds helm
    helm = (await exec('bash', [join(REPO_ROOT, 'hack', 'lib', 'ensure-helm.sh')])).stdout.trim();
  });

  it('passes helm lint', async () => {
    const { stdout } = await exec(helm, ['lint', CHART, '--set', 'database.url=postgres://db/nightshift']);
    assert.match(stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('refuses to render without a database, naming the value', async () => {
    await assert.rejects(template(), /set database\.url or database\.existingSecret\.name/);
  });

  it('refuses values the schema rejects', async () => {
    await assert.rejects(template('--set', 'database.url=x', '--set', 'workers=0'), /workers.*minimum/);
    await assert.rejects(template('--set', 'database.url=x', '--set', 'workspace.volume=Tmpfs'), /workspace\/volume/);
  });

  it('renders an operator configuration the operator accepts', async () => {
    const docs = parseAllDocuments(
      await template('--set', 'database.url=postgres://db/n', '--set', 'watchNamespaces={team-a,team-b}'),
    );
    const configMap = docs.map((d) => d.toJS()).find((o) => o?.kind === 'ConfigMap');
    const file = join(mkdtempSync(join(tmpdir(), 'chart-')), 'operator.yaml');
    writeFileSync(file, configMap.data['operator.yaml']);
    const config = loadConfig({ file, env: {} });
    assert.deepEqual(config.namespaces, ['team-a', 'team-b']);
    assert.equal(config.leaderElection.namespace, 'nightshift-system');
    assert.equal(config.runner.image, 'ghcr.io/nightshift-dev/runner:0.1.0');
  });

  it('renders the dashboard: read the kinds, pods and events, patch only (never status, never delete)', async () => {
    const docs = parseAllDocuments(
      await template('--set', 'database.url=postgres://db/n', '--set', 'watchNamespaces={team-a}'),
    )
      .map((d) => d.toJS())
      .filter(Boolean);
    const role = docs.find((o) => o.kind === 'ClusterRole' && o.metadata.name.endsWith('-dashboard'));
    const verbs = role.rules.flatMap((r: { resources: string[]; verbs: string[] }) =>
      r.resources.map((res) => `${res}:${r.verbs.join(',')}`),
    );
    assert.deepEqual(verbs, [
      'storyruns:get,list,watch,create,patch',
      'workqueues:get,list,watch,patch',
      'budgets:get,list,watch,patch',
      'pods:get,list,watch',
      'events:get,list,watch',
    ]);
    const deployment = docs.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-dashboard'));
    const env = Object.fromEntries(
      deployment.spec.template.spec.containers[0].env.map((e: { name: string; value?: string }) => [
        e.name,
        e.value ?? 'from',
      ]),
    );
    assert.equal(env.NIGHTSHIFT_NAMESPACES, 'team-a');
    assert.equal(env.DATABASE_URL, 'from');
    assert.equal(env.NIGHTSHIFT_DASHBOARD_CORS_ORIGINS, '', 'CORS closed by default');
    assert.ok(docs.some((o) => o.kind === 'Service' && o.metadata.name.endsWith('-dashboard')));
    const off = parseAllDocuments(await template('--set', 'database.url=x', '--set', 'dashboard.enabled=false')).map(
      (d) => d.toJS(),
    );
    assert.ok(
      !off.some((o) => o?.metadata?.name?.endsWith('-dashboard')),
      'dashboard.enabled=false renders none of it',
    );
  });

  it('renders objects the API server accepts (server-side dry run)', async function () {
    this.timeout(5 * 60_000);
    const { kubectl } = await localCluster();
    const namespace = await testNamespace('chart');
    const rendered = await exec(helm, [
      'template',
      'nightshift',
      CHART,
      '--namespace',
      namespace,
      '--set',
      'database.url=postgres://db/n',
      '--set',
      'runner.databaseURL=postgres://db/n',
    ]);
    const out = await kubectl(['apply', '--dry-run=server', '-n', namespace, '-f', '-'], { input: rendered.stdout });
    for (const kind of [
      'deployment.apps',
      'clusterrole.rbac.authorization.k8s.io',
      'configmap',
      'service',
      'serviceaccount',
    ]) {
      assert.match(out, new RegExp(`^${kind.replace('.', '\\.')}/\\S+ created \\(server dry run\\)`, 'm'));
    }
    for (const object of ['deployment.apps', 'service', 'serviceaccount', 'clusterrole.rbac.authorization.k8s.io']) {
      assert.match(
        out,
        new RegExp(`^${object.replace('.', '\\.')}/nightshift-dashboard created \\(server dry run\\)`, 'm'),
      );
    }
  });
});
