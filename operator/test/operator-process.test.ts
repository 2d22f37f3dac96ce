// The operator as a process: bad configuration stops it with the field
// named; two replicas elect one leader, and the other takes over when the
// leader dies; SIGTERM drains and exits cleanly.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { eventually } from '../../hack/test/harness.ts';
import { OPERATOR_BIN, OperatorProcess } from './support/operator-process.ts';
import {
  createStoryRun,
  sampleStoryRun,
  storyEnvironment,
  storyPods,
  waitForPhase,
  type StoryEnvironment,
} from './support/story-environment.ts';

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
      assert.match(leading!.logs(), /"msg":"leading: starting controllers"/);
      assert.doesNotMatch(
        standby!.logs(),
        /leading: starting controllers/,
        'the standby never started its controllers',
      );
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
});
