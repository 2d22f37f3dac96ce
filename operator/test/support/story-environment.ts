// Everything a StoryRun needs in a test: a namespace, a database, a local
// forge serving the demo repository (git over HTTP + GitHub API), the token
// Secret, and StoryRun manifests derived from examples/storyrun.yaml.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type pg from 'pg';
import { parse } from 'yaml';
import { storyRunSchema, type StoryRun } from '@nightshift/crds';
import { createPool } from '@nightshift/operator/postgres';
import { startForge, seedDemoRepository, DEMO_REPOSITORY, type Forge } from '../../../hack/stand-ins/forge.ts';
import {
  REPO_ROOT,
  eventually,
  installCRDs,
  localCluster,
  testDatabase,
  testNamespace,
  type LocalCluster,
} from '../../../hack/test/harness.ts';

export const FORGE_TOKEN = 'forge-test-token';

export interface StoryEnvironment {
  cluster: LocalCluster;
  namespace: string;
  databaseURL: string;
  db: pg.Pool;
  forge: Forge;
  /** Directory of the forge's bare repositories. */
  forgeRoot: string;
  custom: k8s.CustomObjectsApi;
  core: k8s.CoreV1Api;
  close(): Promise<void>;
}

export async function storyEnvironment(prefix: string): Promise<StoryEnvironment> {
  const cluster = await localCluster();
  await installCRDs();
  const namespace = await testNamespace(prefix);
  const databaseURL = await testDatabase(prefix.replace(/-/g, '_'));
  const root = mkdtempSync(join(tmpdir(), 'ns-forge-'));
  await seedDemoRepository(root);
  const forge = await startForge({ root, token: FORGE_TOKEN });
  const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: 'demo-forge-token' }, stringData: { token: FORGE_TOKEN } },
  });
  const db = createPool(databaseURL, { applicationName: `test-${prefix}`, max: 3 });
  return {
    cluster,
    namespace,
    databaseURL,
    db,
    forge,
    forgeRoot: root,
    core,
    custom: cluster.kc.makeApiClient(k8s.CustomObjectsApi),
    close: async () => {
      await forge.close();
      await db.end();
    },
  };
}

/** examples/storyrun.yaml pointed at this test's forge, with a name and extra description (scripted directives). */
export function sampleStoryRun(
  env: StoryEnvironment,
  name: string,
  overrides: { extraDescription?: string; spec?: Record<string, unknown> } = {},
) {
  const example = parse(readFileSync(join(REPO_ROOT, 'examples', 'storyrun.yaml'), 'utf8'));
  example.metadata = { name, namespace: env.namespace };
  example.spec.story.id = name.toUpperCase(); // a branch of its own: nightshift/<NAME>
  example.spec.repository.url = env.forge.gitURL(DEMO_REPOSITORY);
  example.spec.repository.pullRequests.apiURL = env.forge.apiURL;
  if (overrides.extraDescription) example.spec.story.description += `\n${overrides.extraDescription}\n`;
  Object.assign(example.spec, overrides.spec ?? {});
  return example;
}

export async function createStoryRun(env: StoryEnvironment, body: object): Promise<StoryRun> {
  const created = await env.custom.createNamespacedCustomObject({
    group: 'nightshift.dev',
    version: 'v1alpha1',
    namespace: env.namespace,
    plural: 'storyruns',
    body,
  });
  return storyRunSchema.parse(created);
}

export async function getStoryRun(env: StoryEnvironment, name: string): Promise<StoryRun> {
  return storyRunSchema.parse(
    await env.custom.getNamespacedCustomObject({
      group: 'nightshift.dev',
      version: 'v1alpha1',
      namespace: env.namespace,
      plural: 'storyruns',
      name,
    }),
  );
}

export async function patchSpec(env: StoryEnvironment, name: string, spec: Record<string, unknown>): Promise<void> {
  await env.cluster.kubectl([
    'patch',
    'storyrun',
    name,
    '-n',
    env.namespace,
    '--type=merge',
    '-p',
    JSON.stringify({ spec }),
  ]);
}

export async function waitForPhase(
  env: StoryEnvironment,
  name: string,
  phases: string | string[],
  options: { timeoutMs?: number; diagnostics?: () => string } = {},
): Promise<StoryRun> {
  const wanted = [phases].flat();
  let last: StoryRun | undefined;
  try {
    return await eventually(
      `StoryRun ${name} to reach ${wanted.join(' or ')}`,
      async () => {
        last = await getStoryRun(env, name);
        return wanted.includes(last.status?.phase ?? '') ? last : undefined;
      },
      { timeoutMs: options.timeoutMs ?? 120_000, intervalMs: 300 },
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nlast status: ${JSON.stringify(last?.status, null, 1)}\n${options.diagnostics?.() ?? ''}`,
      { cause: error },
    );
  }
}

/** Every pod the operator made for a StoryRun (by its uid label). */
export async function storyPods(env: StoryEnvironment, uid: string): Promise<k8s.V1Pod[]> {
  return (
    await env.core.listNamespacedPod({ namespace: env.namespace, labelSelector: `nightshift.dev/storyrun-uid=${uid}` })
  ).items;
}

export async function sessionsOf(env: StoryEnvironment, uid: string) {
  return (
    await env.db.query(
      'select attempt, mode, outcome, outcome_detail, pod_name from execution_sessions where story_uid = $1 order by attempt',
      [uid],
    )
  ).rows;
}

export async function eventTypes(env: StoryEnvironment, uid: string, source: 'operator' | 'runner'): Promise<string[]> {
  const { rows } = await env.db.query(
    'select type from execution_events where story_uid = $1 and source = $2 order by id',
    [uid, source],
  );
  return rows.map((r) => r.type as string);
}
