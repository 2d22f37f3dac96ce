// Leader election on a real Lease: one leader among candidates, a fast
// handover on graceful release, a takeover only after expiry when the leader
// dies (a child process killed with SIGKILL), and a leader that loses its
// Lease stops leading.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { eventually, localCluster, testNamespace } from '../../hack/test/harness.ts';
import { LeaderElector, type LeaderElectionOptions, type StoppedLeadingReason } from '../src/kube/index.ts';

const LEADER_ELECTION_MODULE = fileURLToPath(new URL('../src/kube/leader-election.ts', import.meta.url));

describe('kube leader election', function () {
  let kc: k8s.KubeConfig;
  let kubeconfigPath: string;
  let leases: k8s.CoordinationV1Api;
  let namespace: string;
  const electors: LeaderElector[] = [];
  const children: ChildProcess[] = [];

  before(async function () {
    this.timeout(30 * 60_000);
    ({ kc, kubeconfigPath } = await localCluster());
    leases = kc.makeApiClient(k8s.CoordinationV1Api);
  });

  beforeEach(async () => {
    namespace = await testNamespace('kube-lease');
  });

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await Promise.all(electors.splice(0).map((e) => e.stop()));
  });

  interface Candidate {
    elector: LeaderElector;
    stopped: StoppedLeadingReason[];
    startedAt?: number;
  }

  function candidate(identity: string, timing: Partial<LeaderElectionOptions> = {}): Candidate {
    const c: Candidate = { stopped: [] } as unknown as Candidate;
    c.elector = new LeaderElector({
      kc,
      namespace,
      leaseName: 'operator',
      identity,
      leaseDurationMs: 4_000,
      renewDeadlineMs: 3_000,
      retryPeriodMs: 500,
      ...timing,
      onStartedLeading: () => {
        c.startedAt = Date.now();
      },
      onStoppedLeading: (reason) => {
        c.stopped.push(reason);
      },
    });
    electors.push(c.elector);
    void c.elector.run();
    return c;
  }

  const holder = async () => (await leases.readNamespacedLease({ name: 'operator', namespace })).spec?.holderIdentity;

  it('lets exactly one of two candidates lead, and keeps it that way while it renews', async () => {
    const a = candidate('a');
    const b = candidate('b');
    const leader = await eventually('a leader', () => [a, b].find((c) => c.elector.isLeader()));
    const identity = leader === a ? 'a' : 'b';
    assert.equal(await holder(), identity);
    // Watch several renew periods: never two leaders, never a change of leader.
    for (let i = 0; i < 15; i++) {
      assert.deepEqual(
        [a, b].map((c) => c.elector.isLeader()),
        [leader === a, leader === b],
      );
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(await holder(), identity);
  });

  it('hands over at once when the leader stops gracefully and releases the Lease', async () => {
    // A long lease: without the release, the follower would wait 60 s.
    const timing = { leaseDurationMs: 60_000, renewDeadlineMs: 10_000, retryPeriodMs: 500 };
    const a = candidate('a', timing);
    await eventually('a to lead', () => a.elector.isLeader());
    const b = candidate('b', timing);
    await a.elector.stop();
    assert.deepEqual(a.stopped, ['Released']);
    assert.equal(a.elector.isLeader(), false);
    await eventually('b to lead', () => b.elector.isLeader(), { timeoutMs: 15_000 });
    const lease = await leases.readNamespacedLease({ name: 'operator', namespace });
    assert.equal(lease.spec?.holderIdentity, 'b');
    assert.equal(lease.spec?.leaseTransitions, 1);
    assert.equal(lease.spec?.leaseDurationSeconds, 60);
  });

  it('takes over from a leader that died without releasing, but only once its Lease expired', async () => {
    // The leader is another process, killed outright: no release, no last words.
    const script = `
      import * as k8s from '@kubernetes/client-node';
      import { LeaderElector } from ${JSON.stringify(LEADER_ELECTION_MODULE)};
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(process.env.KUBECONFIG_PATH);
      const elector = new LeaderElector({
        kc, namespace: process.env.LEASE_NAMESPACE, leaseName: 'operator', identity: 'doomed',
        leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500,
        onStartedLeading: () => console.log('leading'),
      });
      elector.run();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, KUBECONFIG_PATH: kubeconfigPath, LEASE_NAMESPACE: namespace },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    await eventually('the child to lead', () => output.includes('leading'));

    const b = candidate('b');
    // b keeps seeing the child renew, so it follows.
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(b.elector.isLeader(), false);
    assert.equal(await holder(), 'doomed');

    child.kill('SIGKILL');
    const killedAt = Date.now();
    await eventually('b to take over', () => b.elector.isLeader(), { timeoutMs: 20_000 });
    // The child last renewed at most one retry period before it died; b must wait out the
    // 4 s lease from there (its own clock). Anything sooner would be stealing a live lease.
    assert.ok(b.startedAt! - killedAt >= 4_000 - 2 * 500, `took over ${b.startedAt! - killedAt} ms after the kill`);
    assert.equal(await holder(), 'b');
  });

  it('stops leading when another holder takes the Lease', async () => {
    const a = candidate('a');
    await eventually('a to lead', () => a.elector.isLeader());
    const lease = await leases.readNamespacedLease({ name: 'operator', namespace });
    lease.spec = { ...lease.spec, holderIdentity: 'usurper', renewTime: new k8s.V1MicroTime() };
    await leases.replaceNamespacedLease({ name: 'operator', namespace, body: lease });
    await eventually('a to stop leading', () => a.stopped.length > 0);
    assert.deepEqual(a.stopped, ['Lost']);
    assert.equal(a.elector.isLeader(), false);
    assert.equal(await holder(), 'usurper', 'a lost leader does not release a Lease it no longer holds');
  });

  it('refuses timings where the renew deadline is not shorter than the lease', () => {
    assert.throws(
      () =>
        new LeaderElector({
          kc,
          namespace: 'default',
          leaseName: 'x',
          identity: 'x',
          leaseDurationMs: 10_000,
          renewDeadlineMs: 10_000,
          onStartedLeading: () => {},
        }),
      /leaseDurationMs \(10000\) > renewDeadlineMs \(10000\)/,
    );
  });
});
