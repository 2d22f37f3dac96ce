// Benchmark: how fast the operator turns StoryRuns into pods, how quickly it
// acts on a spec patch, and how much memory it needs. Prints numbers; asserts
// nothing. Story pods get a nodeSelector no node matches, so 1,000 of them
// stay Pending instead of starting 1,000 containers on 2 cores.
//
//   node hack/bench/admission.ts [--n 1000] [--memory 1000,10000] [--samples 50] [--concurrency 16]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { OperatorProcess } from '../../operator/test/support/operator-process.ts';
import {
  eventually,
  installCRDs,
  localCluster,
  teardownHarness,
  testDatabase,
  testNamespace,
} from '../test/harness.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    memory: { type: 'string', default: '1000,10000' },
    samples: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '16' },
  },
});
const N = Number(values.n);
const MEMORY_POINTS = values.memory.split(',').map(Number);
const SAMPLES = Number(values.samples);
const CONCURRENCY = Number(values.concurrency);
const NOWHERE = { 'nightshift.dev/bench': 'no-such-node' };

const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

async function inParallel<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function heapMiB(operator: OperatorProcess): Promise<number> {
  const text = await operator.metrics();
  const bytes = Number(/^nightshift_operator_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1]);
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

const storyRun = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'nightshift.dev/v1alpha1',
  kind: 'StoryRun',
  metadata: { name },
  spec: {
    story: { id: name.toUpperCase(), title: `bench ${name}` },
    repository: { url: 'http://127.0.0.1:9/none.git' },
    ...extra,
  },
});

async function main() {
  const cluster = await localCluster();
  await installCRDs();
  const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
  const custom = cluster.kc.makeApiClient(k8s.CustomObjectsApi);
  const results: Record<string, string> = {};

  // 1. Bare pods: the API server's own pace for the same number of pods.
  const bareNs = await testNamespace('bench-bare');
  log(`creating ${N} bare pods (${CONCURRENCY} in flight)`);
  let started = performance.now();
  await inParallel(N, CONCURRENCY, (i) =>
    core.createNamespacedPod({
      namespace: bareNs,
      body: {
        metadata: { name: `bare-${i}` },
        spec: { nodeSelector: NOWHERE, containers: [{ name: 'c', image: 'nightshift.local/runner:dev' }] },
      },
    }),
  );
  const bareSeconds = (performance.now() - started) / 1000;
  results['bare pods: all created'] = `${bareSeconds.toFixed(1)} s (${(N / bareSeconds).toFixed(0)} pods/s)`;
  log(results['bare pods: all created']!);
  await core.deleteCollectionNamespacedPod({ namespace: bareNs, gracePeriodSeconds: 0 });

  // 2. StoryRuns through the operator: time until every one has its pod.
  const ns = await testNamespace('bench-sr');
  const operator = await OperatorProcess.startReady({
    kubeconfig: cluster.kubeconfigPath,
    databaseURL: await testDatabase('bench'),
    namespace: ns,
    config: { runner: { nodeSelector: NOWHERE }, leaderElection: { enabled: false }, logLevel: 'warn' },
    env: {
      NIGHTSHIFT_LOG_LEVEL: 'warn',
      NIGHTSHIFT_LEADER_ELECTION: 'false',
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    },
  });
  running = operator;
  const idleRss = `${rssMiB(operator.pid!)} MiB (JS heap used ${await heapMiB(operator)} MiB)`;
  log(`creating ${N} StoryRuns`);
  started = performance.now();
  await inParallel(N, CONCURRENCY, (i) =>
    custom.createNamespacedCustomObject({
      group: 'nightshift.dev',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'storyruns',
      body: storyRun(`s${i}`),
    }),
  );
  const createdSeconds = (performance.now() - started) / 1000;
  await eventually(`${N} story pods`, async () => (await core.listNamespacedPod({ namespace: ns })).items.length >= N, {
    timeoutMs: 30 * 60_000,
    intervalMs: 500,
  });
  const podsSeconds = (performance.now() - started) / 1000;
  results['StoryRuns: all created'] = `${createdSeconds.toFixed(1)} s`;
  results['StoryRuns: all pods exist'] = `${podsSeconds.toFixed(1)} s (${(N / podsSeconds).toFixed(0)} stories/s)`;
  results['ratio (operator / bare pods)'] = `${(podsSeconds / bareSeconds).toFixed(2)}x`;
  log(`${results['StoryRuns: all pods exist']}, ratio ${results['ratio (operator / bare pods)']}`);
  const metrics = await operator.metrics();
  const metric = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  const reconciles = metric('nightshift_controller_reconcile_duration_seconds_count');
  results['reconciles for those stories'] =
    `${reconciles} (mean ${((metric('nightshift_controller_reconcile_duration_seconds_sum') / reconciles) * 1000).toFixed(0)} ms each)`;

  // 3. Spec patch → pod terminating, once the operator has worked off the burst
  // (its work queue is empty), so the numbers are the reaction time and not the backlog.
  const settleStarted = performance.now();
  await eventually(
    'the operator work queue to drain',
    async () => /^nightshift_workqueue_depth\{name="storyrun"\} 0$/m.test(await operator.metrics()),
    { timeoutMs: 10 * 60_000, intervalMs: 500 },
  );
  results['backlog worked off after the burst'] = `${((performance.now() - settleStarted) / 1000).toFixed(1)} s later`;
  const watch = new k8s.Watch(cluster.kc);
  const gone = new Map<string, number>();
  const request = await watch.watch(
    `/api/v1/namespaces/${ns}/pods`,
    {},
    (type, pod: k8s.V1Pod) => {
      if (type === 'DELETED' || pod.metadata?.deletionTimestamp) {
        const name = pod.metadata?.labels?.['nightshift.dev/storyrun'];
        if (name && !gone.has(name)) gone.set(name, performance.now());
      }
    },
    () => {},
  );
  const latencies: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const name = `s${i}`;
    const patchedAt = performance.now();
    await cluster.kubectl(['patch', 'storyrun', name, '-n', ns, '--type=merge', '-p', '{"spec":{"paused":true}}']);
    await eventually(`pod of ${name} to terminate`, () => gone.has(name), { timeoutMs: 60_000, intervalMs: 5 });
    latencies.push(gone.get(name)! - patchedAt);
  }
  request.abort();
  latencies.sort((a, b) => a - b);
  results['spec patch → pod terminating (p50)'] = `${percentile(latencies, 50).toFixed(0)} ms`;
  results['spec patch → pod terminating (p99)'] = `${percentile(latencies, 99).toFixed(0)} ms`;
  log(
    `patch → terminating p50 ${results['spec patch → pod terminating (p50)']}, p99 ${results['spec patch → pod terminating (p99)']} (${SAMPLES} samples; kubectl's own ~100 ms included)`,
  );

  // 4. Memory at 1,000 and 10,000 StoryRuns (the extra ones wait for a queue: no pods).
  results['operator RSS idle'] = idleRss;
  let total = N;
  for (const point of MEMORY_POINTS) {
    if (point > total) {
      log(`adding ${point - total} queued StoryRuns`);
      await inParallel(point - total, CONCURRENCY, (i) =>
        custom.createNamespacedCustomObject({
          group: 'nightshift.dev',
          version: 'v1alpha1',
          namespace: ns,
          plural: 'storyruns',
          body: storyRun(`q${total + i}`, { queueRef: 'bench' }),
        }),
      );
      total = point;
    }
    await eventually(
      `${point} StoryRuns reconciled`,
      async () => {
        const list = (await custom.listNamespacedCustomObject({
          group: 'nightshift.dev',
          version: 'v1alpha1',
          namespace: ns,
          plural: 'storyruns',
        })) as {
          items: { status?: { phase?: string } }[];
        };
        return list.items.filter((s) => s.status?.phase).length >= point;
      },
      { timeoutMs: 60 * 60_000, intervalMs: 2_000 },
    );
    await new Promise((r) => setTimeout(r, 5_000));
    results[`operator RSS with ${point} StoryRuns`] =
      `${rssMiB(operator.pid!)} MiB (JS heap used ${await heapMiB(operator)} MiB)`;
    log(`RSS with ${point} StoryRuns: ${results[`operator RSS with ${point} StoryRuns`]}`);
  }

  console.log('\nadmission benchmark (local cluster, 2 cores; etcd, API server, operator and client on one machine)');
  for (const [what, value] of Object.entries(results)) console.log(`  ${what.padEnd(40)} ${value}`);
  // Delete the StoryRuns while the operator still runs: each carries its
  // finalizer, and only the operator removes it. A big delete-collection
  // outlives the API server's request timeout (504) and stops part way: repeat it.
  log(`deleting ${total} StoryRuns (the operator finalizes them)`);
  await eventually(
    'every StoryRun deleted and finalized',
    async () => {
      const left = (await custom.listNamespacedCustomObject({
        group: 'nightshift.dev',
        version: 'v1alpha1',
        namespace: ns,
        plural: 'storyruns',
        limit: 1,
      })) as { items: unknown[] };
      if (left.items.length === 0) return true;
      await custom
        .deleteCollectionNamespacedCustomObject({
          group: 'nightshift.dev',
          version: 'v1alpha1',
          namespace: ns,
          plural: 'storyruns',
        })
        .catch((error: { code?: number }) => {
          if (error.code !== 504) throw error;
        });
      return false;
    },
    { timeoutMs: 60 * 60_000, intervalMs: 5_000 },
  );
  await operator.stop();
  // Leave a quiet cluster: the namespaces gone and the ~1,000 hostpath volumes reclaimed.
  log('deleting the bench namespaces and waiting for their volumes to be reclaimed');
  await cluster.kubectl(['delete', 'namespace', bareNs, ns, '--wait=true', '--timeout=30m']);
  await eventually(
    'the bench volumes to be reclaimed',
    async () => {
      const volumes = await core.listPersistentVolume();
      return !volumes.items.some((pv) => pv.spec?.claimRef?.namespace === ns);
    },
    { timeoutMs: 30 * 60_000, intervalMs: 2_000 },
  );
  await teardownHarness();
}

let running: OperatorProcess | undefined;

main().catch(async (error) => {
  console.error(error);
  await running?.stop().catch(() => {});
  await teardownHarness().catch(() => {});
  process.exit(1);
});
