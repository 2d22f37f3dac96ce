// The second half of `npm start` (after hack/start.sh brought the cluster up):
// the CRDs, a local forge serving the demo repository, the operator with its
// embedded Postgres, and the sample story followed to its result. Keeps the
// operator and the forge running until Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as k8s from '@kubernetes/client-node';
import { defaultStateDir } from '../../operator/src/config/schema.ts';
import { seedDemoRepository, startForge } from '../stand-ins/forge.ts';
import { REPO_ROOT, eventually, installCRDs, localCluster } from '../test/harness.ts';

const NAMESPACE = 'nightshift-demo';
const FORGE_PORT = 7080; // examples/storyrun.yaml points here
const FORGE_TOKEN = 'demo-token';
const HTTP_PORT = Number(process.env.NIGHTSHIFT_HTTP_PORT ?? 8080);
const DATA = defaultStateDir();

const say = (message: string) => console.log(`[${new Date().toTimeString().slice(0, 8)}] ${message}`);

async function main() {
  const cluster = await localCluster();
  const env = `KUBECONFIG=${cluster.kubeconfigPath}`;
  await installCRDs();
  say('CRDs installed: StoryRun (sr), WorkQueue (wq), Budget (nsb)');

  // A fresh demo repository each start, so the sample story always has work to do.
  const forgeRoot = join(DATA, 'forge');
  rmSync(forgeRoot, { recursive: true, force: true });
  await seedDemoRepository(forgeRoot);
  const forge = await startForge({ root: forgeRoot, port: FORGE_PORT, token: FORGE_TOKEN });
  say(`local forge at ${forge.url} (git: ${forge.gitURL('demo/hello')}, API: ${forge.apiURL})`);

  const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } }).catch(() => {});
  const secret = { metadata: { name: 'demo-forge-token' }, stringData: { token: FORGE_TOKEN } };
  await core.createNamespacedSecret({ namespace: NAMESPACE, body: secret }).catch(() => {});

  mkdirSync(DATA, { recursive: true });
  const logFile = join(DATA, 'operator.log');
  const log = openSync(logFile, 'a');
  const operator = spawn(process.execPath, [join(REPO_ROOT, 'operator', 'bin', 'nightshift-operator.ts'), 'start'], {
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      KUBECONFIG: cluster.kubeconfigPath,
      NIGHTSHIFT_RUNNER_IMAGE: 'nightshift.local/runner:dev',
      NIGHTSHIFT_RUNNER_HOST_NETWORK: 'true',
      NIGHTSHIFT_WORKSPACE_FIX_PERMISSIONS: 'true',
      NIGHTSHIFT_LEADER_ELECTION: 'false',
      NIGHTSHIFT_HTTP_PORT: String(HTTP_PORT),
      NIGHTSHIFT_PID_FILE: join(DATA, 'operator.pid'),
    },
  });
  const operatorExit = new Promise<number | null>((resolve) => operator.on('exit', resolve));
  say(`operator starting (embedded Postgres in ${join(DATA, 'postgres')}; log: ${logFile})`);
  await Promise.race([
    eventually('the operator to be ready', () => fetch(`http://127.0.0.1:${HTTP_PORT}/readyz`).then((r) => r.ok), {
      timeoutMs: 120_000,
    }),
    operatorExit.then((code) => {
      throw new Error(
        `the operator exited (${code}); see ${logFile}:\n${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}`,
      );
    }),
  ]);
  say(`operator ready: http://127.0.0.1:${HTTP_PORT}/metrics`);

  const stop = async (code: number) => {
    say('stopping the operator and the forge (the cluster stays up: hack/cluster down stops it)');
    operator.kill('SIGTERM');
    await operatorExit;
    await forge.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  // The sample story, from scratch each time.
  const story = parse(readFileSync(join(REPO_ROOT, 'examples', 'storyrun.yaml'), 'utf8'));
  const name = story.metadata.name as string;
  await cluster.kubectl(['delete', 'storyrun', name, '-n', NAMESPACE, '--ignore-not-found', '--wait=true']);
  await cluster.kubectl(['apply', '-n', NAMESPACE, '-f', join(REPO_ROOT, 'examples', 'storyrun.yaml')]);
  say(
    `applied examples/storyrun.yaml as ${NAMESPACE}/${name}; following it (also: ${env} kubectl get sr -n ${NAMESPACE} -w)`,
  );

  const custom = cluster.kc.makeApiClient(k8s.CustomObjectsApi);
  let last = '';
  const final = await eventually(
    `${name} to finish`,
    async () => {
      const sr = (await custom.getNamespacedCustomObject({
        group: 'nightshift.dev',
        version: 'v1alpha1',
        namespace: NAMESPACE,
        plural: 'storyruns',
        name,
      })) as {
        status?: { phase?: string; step?: string; message?: string; pullRequest?: { url: string }; costUSD?: number };
      };
      const line = `${sr.status?.phase ?? 'New'}${sr.status?.step ? ` · ${sr.status.step}` : ''}${sr.status?.message ? ` — ${sr.status.message}` : ''}`;
      if (line !== last) say(`  ${line}`);
      last = line;
      return ['Succeeded', 'Failed', 'Aborted', 'WaitingForHuman', 'Paused'].includes(sr.status?.phase ?? '')
        ? sr
        : undefined;
    },
    { timeoutMs: 15 * 60_000, intervalMs: 500 },
  );

  console.log(`
The sample story ended ${final.status?.phase}${final.status?.pullRequest ? `: draft pull request ${final.status.pullRequest.url}` : ''}.

Look around:
  export ${env} PATH=${join(process.env.HOME ?? '~', '.cache/nightshift/k8s/v1.36.3/bin')}:$PATH
  kubectl get storyruns -n ${NAMESPACE}              # the columns: phase, step, cost, PR
  kubectl describe storyrun ${name} -n ${NAMESPACE}  # conditions and events
  git clone ${forge.gitURL('demo/hello').replace('http://', `http://x:${FORGE_TOKEN}@`)} && git -C hello log --all --oneline
  curl -s -H 'Authorization: token ${FORGE_TOKEN}' ${forge.apiURL}/repos/demo/hello/pulls   # the draft PR
  kubectl apply -n ${NAMESPACE} -f <your StoryRun>    # run another one

The operator and the forge keep running; press Ctrl-C to stop them.`);
  await operatorExit;
  say('the operator exited');
  await forge.close();
}

main().catch((error) => {
  console.error(`npm start failed: ${(error as Error).message}`);
  process.exit(1);
});
