// `npm start` survives its operator dying: demo.ts (the part of npm start after
// the cluster is up) is run as a user runs it, on its own ports, state
// directory and namespace; the operator is killed with SIGKILL while the
// sample story is in flight, and the story must still finish on the forge
// that kept running, with one pull request. Ctrl-C then stops everything.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { ensureEmbeddedPostgres } from '@nightshift/operator/postgres';
import { isAlive, readPid } from '../../operator/src/pid-file.ts';
import { tailOf } from '../start/supervise.ts';
import { REPO_ROOT, freePort, localCluster, testNamespace } from './harness.ts';

const STORY = 'hello-greeting'; // examples/storyrun.yaml
const FORGE_TOKEN = 'demo-token'; // demo.ts

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function distinctFreePorts(): Promise<[number, number, number, number, number]> {
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await freePort());
  return [...ports] as [number, number, number, number, number];
}

/** Rejects with message() unless promise settles within ms. */
async function within<T>(ms: number, promise: Promise<T>, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('npm start (hack/start/demo.ts)', function () {
  this.timeout(180_000);
  let stateDir: string;
  let storyNamespace: string | undefined;
  let forgePort: number, httpPort: number, postgresPort: number, dashboardPort: number, dashboardProbePort: number;
  let demo: ChildProcess | undefined;
  let demoExit: Promise<{ code: number | null; signal: string | null }>;
  let output = '';
  const operatorPids = new Set<number>();

  /** What a failure message needs: the end of demo's output and of the operator's log. */
  const context = () =>
    `\n--- demo.ts output (end) ---\n${output.split('\n').slice(-40).join('\n')}\n--- ${join(stateDir, 'operator.log')} (end) ---\n${tailOf(join(stateDir, 'operator.log'), 30)}`;
  const withContext = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      (error as Error).message = `${what}: ${(error as Error).message}${context()}`;
      throw error;
    }
  };
  const demoAlive = () => demo !== undefined && demo.exitCode === null && demo.signalCode === null;
  /**
   * Polls check (value, or undefined for not yet) while demo.ts runs. Unlike
   * eventually(), an error thrown by check fails at once, and so does demo.ts exiting.
   */
  const whileDemoRuns = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!demoAlive())
        throw new Error(`demo.ts exited (${demo?.exitCode ?? demo?.signalCode}) while waiting for ${what}`);
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  after(async function () {
    this.timeout(60_000);
    // Whatever a failed run left behind, ours only: demo (asked first, so it stops its dashboard), its operators, its embedded Postgres.
    if (demoAlive()) {
      demo!.kill('SIGINT');
      await within(45_000, demoExit, () => 'demo.ts did not stop').catch(() => demo!.kill('SIGKILL'));
    }
    for (const pid of operatorPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    if (stateDir) {
      const postgresDir = join(stateDir, 'postgres');
      if (existsSync(join(postgresDir, 'PG_VERSION')) && (await listening(postgresPort))) {
        await (await ensureEmbeddedPostgres({ dataDir: postgresDir, port: postgresPort })).stop();
      }
      rmSync(stateDir, { recursive: true, force: true });
    }
    // The operator that would run the story's finalizer is gone (and its records with stateDir):
    // without this the namespace the harness deletes stays Terminating.
    if (storyNamespace) {
      const { kubectl } = await localCluster();
      await kubectl([
        'patch',
        'storyrun',
        STORY,
        '-n',
        storyNamespace,
        '--type=merge',
        '-p',
        '{"metadata":{"finalizers":null}}',
      ]).catch(() => {});
    }
  });

  it('restarts a killed operator, keeps the forge, finishes the story with one pull request, and stops on Ctrl-C', async () => {
    const cluster = await localCluster();
    const namespace = await testNamespace('start-test');
    storyNamespace = namespace;
    stateDir = mkdtempSync(join(tmpdir(), 'nightshift-start-test-'));
    chmodSync(stateDir, 0o755); // the embedded Postgres runs as the postgres user when we are root
    [forgePort, httpPort, postgresPort, dashboardPort, dashboardProbePort] = await distinctFreePorts();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NIGHTSHIFT_DEMO_STATE_DIR: stateDir,
      NIGHTSHIFT_DEMO_FORGE_PORT: String(forgePort),
      NIGHTSHIFT_HTTP_PORT: String(httpPort),
      NIGHTSHIFT_EMBEDDED_POSTGRES_PORT: String(postgresPort),
      NIGHTSHIFT_DASHBOARD_PORT: String(dashboardPort),
      NIGHTSHIFT_DASHBOARD_PROBE_PORT: String(dashboardProbePort),
      NIGHTSHIFT_DEMO_NAMESPACE: namespace,
      // Leave other tests' stories on the shared cluster alone.
      NIGHTSHIFT_NAMESPACES: namespace,
    };
    delete env.DATABASE_URL; // the embedded Postgres is part of what npm start runs
    delete env.NIGHTSHIFT_CONFIG;
    demo = spawn(process.execPath, [join(REPO_ROOT, 'hack', 'start', 'demo.ts')], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const child = demo;
    demoExit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

    const custom = cluster.kc.makeApiClient(k8s.CustomObjectsApi);
    const phase = async () => {
      const sr = (await custom
        .getNamespacedCustomObject({
          group: 'nightshift.dev',
          version: 'v1alpha1',
          namespace,
          plural: 'storyruns',
          name: STORY,
        })
        .catch(() => undefined)) as { status?: { phase?: string; step?: string } } | undefined;
      return sr?.status;
    };
    const pulls = async () => {
      const res = await fetch(`http://127.0.0.1:${forgePort}/api/v3/repos/demo/hello/pulls?state=all`, {
        headers: { Authorization: `token ${FORGE_TOKEN}` },
      });
      assert.equal(res.status, 200, `the forge answered ${res.status} to the pull request list`);
      return (await res.json()) as { number: number; draft: boolean; created_at: string }[];
    };

    // 1. The sample story is in flight: its pod works while we kill the operator.
    const inFlight = await withContext('the sample story never ran', () =>
      whileDemoRuns(
        `${STORY} to be Running`,
        async () => {
          const status = await phase();
          if (status?.phase === 'Succeeded')
            throw new Error(`${STORY} finished before the test could kill the operator`);
          return status?.phase === 'Running' ? status : undefined;
        },
        120_000,
      ),
    );
    // The dashboard runs beside it: its URL and a login token are printed, and the token lists the story.
    const login =
      /dashboard ready: (http:\/\/127\.0\.0\.1:\d+) [\s\S]*?login token \(write access, shown only now\): (nsd_\S+)/.exec(
        output,
      );
    assert.ok(login, `npm start printed the dashboard URL and a token${context()}`);
    assert.equal(login[1], `http://127.0.0.1:${dashboardPort}`);
    const story = await fetch(`${login[1]}/api/stories/${namespace}/${STORY}`, {
      headers: { Authorization: `Bearer ${login[2]}` },
    });
    assert.equal(story.status, 200, `the dashboard serves the story with that token${context()}`);
    assert.equal(((await story.json()) as { name: string }).name, STORY);
    assert.equal((await fetch(`${login[1]}/api/stories`)).status, 401, 'and nothing without it');

    const firstPid = readPid(join(stateDir, 'operator.pid'));
    assert.ok(firstPid !== undefined && isAlive(firstPid), `no live operator in the pid file${context()}`);
    operatorPids.add(firstPid);
    assert.deepEqual(
      await pulls(),
      [],
      `no pull request yet: the story is in flight when the operator dies${context()}`,
    );
    process.kill(firstPid, 'SIGKILL');
    const killedAt = Date.now();

    // 2. demo.ts says so, stays up and starts a new operator.
    const secondPid = await withContext('the operator was not restarted', () =>
      whileDemoRuns(
        'a new operator in the pid file',
        async () => {
          const pid = readPid(join(stateDir, 'operator.pid'));
          return pid !== undefined && pid !== firstPid && isAlive(pid) ? pid : undefined;
        },
        30_000,
      ),
    );
    operatorPids.add(secondPid);
    assert.match(output, /the operator exited unexpectedly \(killed by SIGKILL\)/, `announced the death${context()}`);
    assert.match(output, /restarting the operator .*the forge keeps running/, `announced the restart${context()}`);

    // 3. The story finishes on the forge that kept running, with exactly one draft pull request.
    await withContext(`${STORY} did not succeed after the restart`, () =>
      whileDemoRuns(
        `${STORY} to succeed`,
        async () => {
          const status = await phase();
          if (['Failed', 'Aborted', 'WaitingForHuman', 'Paused'].includes(status?.phase ?? '')) {
            throw new Error(`${STORY} ended ${status?.phase}`);
          }
          return status?.phase === 'Succeeded' ? status : undefined;
        },
        120_000,
      ),
    );
    const opened = await pulls();
    assert.equal(opened.length, 1, `one pull request, got ${JSON.stringify(opened)}${context()}`);
    assert.equal(opened[0]!.draft, true, 'a draft pull request');
    assert.match(output, /operator ready again \(restart 1\)/, `announced the restarted operator ready${context()}`);
    assert.ok(demoAlive(), `demo.ts still runs${context()}`);
    console.log(
      `      (killed the operator at ${inFlight.phase}${inFlight.step ? ` · ${inFlight.step}` : ''}; the pull request came ${Date.parse(opened[0]!.created_at) - killedAt} ms later)`,
    );

    // 4. Ctrl-C: the operator stops, then the forge, and demo.ts exits 0.
    demo.kill('SIGINT');
    const exit = await within(90_000, demoExit, () => `demo.ts did not exit within 90 s of SIGINT${context()}`);
    assert.deepEqual(exit, { code: 0, signal: null }, `demo.ts exit after SIGINT${context()}`);
    assert.equal(isAlive(secondPid), false, `the operator (pid ${secondPid}) is gone${context()}`);
    assert.equal(await listening(forgePort), false, 'the forge is closed');
    assert.equal(await listening(dashboardPort), false, 'the dashboard is stopped');
    // needs the operator to stop its embedded Postgres on SIGTERM (lead's change)
    assert.equal(
      await listening(postgresPort),
      false,
      `the embedded Postgres (port ${postgresPort}) still listens after the operator stopped${context()}`,
    );
  });
});
