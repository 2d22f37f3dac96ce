// The second half of `npm start` (after hack/start.sh brought the cluster up):
// the CRDs, a local forge serving the demo repository, the operator with its
// embedded Postgres, the dashboard API beside it (its URL and a login token
// printed), and the sample story followed to its result. Keeps the forge
// running and the operator and dashboard alive (restarted when they die, see
// supervise.ts) until Ctrl-C; ports, state directory and namespace come from
// the environment (see settings.ts).
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import * as k8s from '@kubernetes/client-node';
import { createPool } from '@nightshift/operator/postgres';
import { createToken, revokeToken } from '../../dashboard/server/src/auth/tokens.ts';
import { seedDemoRepository, startForge, type Forge } from '../stand-ins/forge.ts';
import { REPO_ROOT, eventually, installCRDs, localCluster } from '../test/harness.ts';
import { bundleIfStale } from '../build/bundle.ts';
import { sampleStory } from './sample-story.ts';
import { demoSettings, type DemoSettings } from './settings.ts';
import { OperatorSupervisor } from './supervise.ts';

const FORGE_TOKEN = 'demo-token';
// The compiled operator, as its image runs it (bundled at start when the sources changed).
const OPERATOR_BIN = join(REPO_ROOT, 'operator', 'dist', 'nightshift-operator.mjs');
const DASHBOARD_BIN = join(REPO_ROOT, 'dashboard', 'server', 'bin', 'nightshift-dashboard.ts');
/** The operator's database: DATABASE_URL when given, else the embedded Postgres it runs (user postgres, password nightshift). */
const databaseURL = (settings: DemoSettings) =>
  process.env.DATABASE_URL || `postgres://postgres:nightshift@127.0.0.1:${settings.postgresPort}/postgres`;

const say = (message: string) => console.log(`[${new Date().toTimeString().slice(0, 8)}] ${message}`);

function spawnOperator(settings: DemoSettings, kubeconfig: string) {
  const log = openSync(settings.logFile, 'a');
  try {
    // Its own process group: a Ctrl-C in the terminal reaches only us, and we stop it (SIGTERM, wait).
    return spawn(process.execPath, [OPERATOR_BIN, 'start'], {
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        KUBECONFIG: kubeconfig,
        NIGHTSHIFT_RUNNER_IMAGE: settings.runnerImage,
        NIGHTSHIFT_RUNNER_HOST_NETWORK: 'true',
        NIGHTSHIFT_WORKSPACE_FIX_PERMISSIONS: 'true',
        NIGHTSHIFT_LEADER_ELECTION: 'false',
        NIGHTSHIFT_HTTP_PORT: String(settings.httpPort),
        NIGHTSHIFT_PID_FILE: settings.pidFile,
        NIGHTSHIFT_EMBEDDED_POSTGRES_DIR: settings.postgresDir,
        NIGHTSHIFT_EMBEDDED_POSTGRES_PORT: String(settings.postgresPort),
      },
    });
  } finally {
    closeSync(log); // the child has its own copy
  }
}

function spawnDashboard(settings: DemoSettings, kubeconfig: string) {
  const log = openSync(settings.dashboardLogFile, 'a');
  try {
    return spawn(process.execPath, [DASHBOARD_BIN, 'start'], {
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        KUBECONFIG: kubeconfig,
        DATABASE_URL: databaseURL(settings),
        NIGHTSHIFT_DASHBOARD_HOST: '127.0.0.1',
        NIGHTSHIFT_DASHBOARD_PORT: String(settings.dashboardPort),
        NIGHTSHIFT_DASHBOARD_PROBE_PORT: String(settings.dashboardProbePort),
        // npm start makes its own token each time (below); the first-start token would go unseen in the log.
        NIGHTSHIFT_DASHBOARD_BOOTSTRAP_TOKEN: 'false',
      },
    });
  } finally {
    closeSync(log);
  }
}

/** A fresh login token named npm-start (the one of the previous start is revoked): printed, never stored in the clear. */
async function loginToken(settings: DemoSettings): Promise<string> {
  const pool = createPool(databaseURL(settings), { applicationName: 'npm-start', max: 1 });
  try {
    await revokeToken(pool, 'npm-start');
    return (await createToken(pool, { name: 'npm-start', scope: 'write', createdBy: 'npm start' })).token;
  } finally {
    await pool.end();
  }
}

/** Creating what an earlier start left behind is fine; anything else is not. */
function unlessItExists(what: string) {
  return (error: unknown) => {
    if ((error as { code?: number }).code === 409) return;
    throw new Error(`failed to create ${what}: ${(error as Error).message}`, { cause: error });
  };
}

async function main() {
  const settings = demoSettings();
  const { namespace, httpPort, logFile } = settings;
  const cluster = await localCluster();
  if (await bundleIfStale('operator')) say('operator compiled into operator/dist (node hack/build/bundle.ts)');
  const env = `KUBECONFIG=${cluster.kubeconfigPath}`;
  await installCRDs();
  say('CRDs installed: StoryRun (sr), WorkQueue (wq), Budget (nsb)');

  // A fresh demo repository each start, so the sample story always has work to do.
  rmSync(settings.forgeRoot, { recursive: true, force: true });
  await seedDemoRepository(settings.forgeRoot);
  const forge: Forge = await startForge({ root: settings.forgeRoot, port: settings.forgePort, token: FORGE_TOKEN });
  say(`local forge at ${forge.url} (git: ${forge.gitURL('demo/hello')}, API: ${forge.apiURL})`);

  mkdirSync(settings.stateDir, { recursive: true });
  const readyz = () => fetch(`http://127.0.0.1:${httpPort}/readyz`).then((r) => r.ok);
  let stopping = false;
  const supervisor: OperatorSupervisor = new OperatorSupervisor({
    spawn: () => spawnOperator(settings, cluster.kubeconfigPath),
    logFile,
    say,
    restarted: (restart) =>
      void eventually('the restarted operator to be ready', async () =>
        supervisor.restarts !== restart || stopping ? 'superseded' : (await readyz()) && 'ready',
      ).then(
        (state) => state === 'ready' && say(`operator ready again (restart ${restart})`),
        (error: Error) => say(`${error.message}; see ${logFile}`),
      ),
  });

  const dashboardURL = `http://127.0.0.1:${settings.dashboardPort}`;
  const dashboardReady = () =>
    fetch(`http://127.0.0.1:${settings.dashboardProbePort}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
  const dashboard: OperatorSupervisor = new OperatorSupervisor({
    name: 'the dashboard',
    spawn: () => spawnDashboard(settings, cluster.kubeconfigPath),
    logFile: settings.dashboardLogFile,
    say,
    restarted: (restart) =>
      void eventually('the restarted dashboard to be ready', async () =>
        dashboard.restarts !== restart || stopping ? 'superseded' : (await dashboardReady()) && 'ready',
      ).then(
        (state) => state === 'ready' && say(`dashboard ready again (restart ${restart})`),
        (error: Error) => say(`${error.message}; see ${settings.dashboardLogFile}`),
      ),
  });

  const stop = async (signal: string) => {
    if (stopping) {
      say(`still stopping the operator (${signal} again); it is killed if it takes more than 60 s`);
      return;
    }
    stopping = true;
    say(
      `${signal}: stopping the dashboard, the operator and the forge (the cluster stays up: hack/cluster down stops it)`,
    );
    await dashboard.stop(30_000);
    await supervisor.stop(60_000);
    await forge.close();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
  // However we end, the operator is not left behind in its own process group.
  process.on('exit', () => {
    if (supervisor.pid !== undefined) process.kill(supervisor.pid, 'SIGTERM');
    if (dashboard.pid !== undefined) process.kill(dashboard.pid, 'SIGTERM');
  });
  const gaveUp = supervisor.gaveUp.then((reason) => {
    throw new Error(`${reason}; see ${logFile}`);
  });

  const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
  await core
    .createNamespace({ body: { metadata: { name: namespace } } })
    .catch(unlessItExists(`namespace ${namespace}`));
  const secret = { metadata: { name: 'demo-forge-token' }, stringData: { token: FORGE_TOKEN } };
  await core
    .createNamespacedSecret({ namespace, body: secret })
    .catch(unlessItExists(`secret ${namespace}/demo-forge-token`));

  supervisor.start();
  say(
    `operator starting (pid ${supervisor.pid}; embedded Postgres in ${settings.postgresDir} on port ${settings.postgresPort}; log: ${logFile})`,
  );
  await Promise.race([eventually('the operator to be ready', readyz, { timeoutMs: 120_000 }), gaveUp]);
  say(`operator ready: http://127.0.0.1:${httpPort}/metrics`);

  // The dashboard API, on the operator's (now migrated) embedded database.
  dashboard.start();
  const dashboardGaveUp = dashboard.gaveUp.then((reason) => {
    throw new Error(`${reason}; see ${settings.dashboardLogFile}`);
  });
  await Promise.race([
    eventually('the dashboard to be ready', dashboardReady, { timeoutMs: 120_000 }),
    gaveUp,
    dashboardGaveUp,
  ]);
  const token = await loginToken(settings);
  say(`dashboard ready: ${dashboardURL} (log: ${settings.dashboardLogFile})`);
  say(`  login token (write access, shown only now): ${token}`);
  say(`  open the dashboard (logs in with that token): ${dashboardURL}/login#token=${token}`);
  say(`  curl -H "Authorization: Bearer ${token}" ${dashboardURL}/api/stories`);

  // The sample story, from scratch each time.
  const story = sampleStory(forge.url);
  const name = story.metadata.name;
  await cluster.kubectl(['delete', 'storyrun', name, '-n', namespace, '--ignore-not-found', '--wait=true']);
  await cluster.kubectl(['apply', '-n', namespace, '-f', '-'], { input: stringify(story) });
  say(
    `applied examples/storyrun.yaml as ${namespace}/${name}; following it (also: ${env} kubectl get sr -n ${namespace} -w)`,
  );

  const custom = cluster.kc.makeApiClient(k8s.CustomObjectsApi);
  let last = '';
  const follow = eventually(
    `${name} to finish`,
    async () => {
      const sr = (await custom.getNamespacedCustomObject({
        group: 'nightshift.dev',
        version: 'v1alpha1',
        namespace,
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
  const final = await Promise.race([follow, gaveUp, dashboardGaveUp]);

  console.log(`
The sample story ended ${final.status?.phase}${final.status?.pullRequest ? `: draft pull request ${final.status.pullRequest.url}` : ''}.

Look around:
  export ${env} PATH=${dirname(cluster.kubectlPath)}:$PATH
  kubectl get storyruns -n ${namespace}              # the columns: phase, step, cost, PR
  kubectl describe storyrun ${name} -n ${namespace}  # conditions and events
  git clone ${forge.gitURL('demo/hello').replace('http://', `http://x:${FORGE_TOKEN}@`)} && git -C hello log --all --oneline
  curl -s -H 'Authorization: token ${FORGE_TOKEN}' ${forge.apiURL}/repos/demo/hello/pulls   # the draft PR
  curl -s -H 'Authorization: Bearer ${token}' ${dashboardURL}/api/stories/${namespace}/${name}   # the dashboard API
  curl -s -H 'Authorization: Bearer ${token}' ${dashboardURL}/api/stories/${namespace}/${name}/replay
  kubectl apply -n ${namespace} -f <your StoryRun>    # run another one

The operator, the dashboard (${dashboardURL}, token above) and the forge keep running (the operator and
the dashboard are started again if they die); press Ctrl-C to stop them.`);
  await Promise.race([gaveUp, dashboardGaveUp]);
}

main().catch((error) => {
  console.error(`npm start failed: ${(error as Error).message}`);
  process.exit(1);
});
