// Benchmark: how fast the operator turns StoryRuns into pods against the API
// server's own pace, how many API writes one story costs, how quickly a spec
// patch reaches the pod (idle and while a backlog is admitted), and how much
// memory the operator needs. Prints numbers with their baselines from the
// same run; asserts nothing. Story pods get a nodeSelector no node matches, so
// 1,000 of them stay Pending instead of starting 1,000 containers on 2 cores.
//
//   node hack/bench/admission.ts [--n 1000] [--memory 1000,10000] [--samples 50] [--concurrency 16]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { storyRunSchema } from '@nightshift/crds';
import { configSchema } from '../../operator/src/config/schema.ts';
import { EventRecorder } from '../../operator/src/kube/index.ts';
import { storyPod, storyPodSettings, worktreeVolumeClaim } from '../../operator/src/storyrun/resources.ts';
import { OPERATOR_BIN, OPERATOR_BUNDLE, OperatorProcess } from '../../operator/test/support/operator-process.ts';
import { bundleIfStale } from '../build/bundle.ts';
import {
  eventually,
  freePort,
  installCRDs,
  localCluster,
  teardownHarness,
  testDatabase,
  testNamespace,
  type LocalCluster,
} from '../test/harness.ts';
import { apiWrites, describeWrites, totalPerStory, writesPerStory } from './support/apiserver-writes.ts';
import { collectGarbage } from './support/inspector.ts';
import { inParallel, log, percentile, processMemory } from './support/measure.ts';

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
const SR = { group: 'nightshift.dev', version: 'v1alpha1', plural: 'storyruns' } as const;
type Volume = 'PersistentVolumeClaim' | 'EmptyDir';

const results: [string, string][] = [];
const report = (what: string, value: string) => {
  results.push([what, value]);
  log(`${what}: ${value}`);
};
const ms = (value: number) => `${value.toFixed(0)} ms`;

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

/** Counts the pods of a namespace from a watch (no relisting of 1,000 pods), and when each began terminating. */
async function podWatch(cluster: LocalCluster, namespace: string) {
  const seen = new Set<string>();
  const terminating = new Map<string, number>();
  const request = await new k8s.Watch(cluster.kc).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    {},
    (type, pod: k8s.V1Pod) => {
      seen.add(pod.metadata!.name!);
      const story = pod.metadata?.labels?.['nightshift.dev/storyrun'];
      if (story && (type === 'DELETED' || pod.metadata?.deletionTimestamp) && !terminating.has(story)) {
        terminating.set(story, performance.now());
      }
    },
    () => {},
  );
  return { count: () => seen.size, terminating, stop: () => request.abort() };
}

type PodWatch = Awaited<ReturnType<typeof podWatch>>;

async function operatorMemory(operator: OperatorProcess, inspectorPort: number): Promise<string> {
  const raw = processMemory(operator.pid!);
  await collectGarbage(inspectorPort);
  await new Promise((r) => setTimeout(r, 500));
  const collected = processMemory(operator.pid!);
  return `${raw.rssMiB} MiB raw, ${collected.rssMiB} MiB after a forced GC`;
}

async function startOperator(
  cluster: LocalCluster,
  namespace: string,
  bin: string,
  volume: Volume = 'PersistentVolumeClaim',
) {
  const inspectorPort = await freePort();
  const operator = await OperatorProcess.startReady({
    kubeconfig: cluster.kubeconfigPath,
    databaseURL: await testDatabase('bench'),
    namespace,
    bin,
    config: {
      runner: { nodeSelector: NOWHERE },
      workspace: { volume },
      leaderElection: { enabled: false },
      logLevel: 'warn',
    },
    env: {
      NIGHTSHIFT_LOG_LEVEL: 'warn',
      NIGHTSHIFT_LEADER_ELECTION: 'false',
      NODE_OPTIONS: `--inspect=127.0.0.1:${inspectorPort} ${process.env.BENCH_NODE_OPTIONS ?? ''}`,
    },
  });
  running.add(operator);
  return { operator, inspectorPort };
}

/** Idle memory of one operator build, in a namespace of its own. */
async function idleMemory(cluster: LocalCluster, label: string, bin: string): Promise<void> {
  const ns = await testNamespace('bench-idle');
  cleanup.push(ns);
  const { operator, inspectorPort } = await startOperator(cluster, ns, bin);
  await new Promise((r) => setTimeout(r, 5_000));
  report(`operator RSS idle (${label})`, await operatorMemory(operator, inspectorPort));
  await operator.stop();
  running.delete(operator);
}

/**
 * The writes the operator makes to admit one story — the StoryRun (the
 * user's), the worktree claim, the pod, one status write and one Event —
 * issued straight from here with the operator's own object builders.
 */
async function sameWrites(cluster: LocalCluster, volume: Volume): Promise<number> {
  const ns = await testNamespace('bench-same');
  const custom = cluster.kc.makeApiClient(k8s.CustomObjectsApi);
  const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
  const settings = storyPodSettings(configSchema.parse({ runner: { nodeSelector: NOWHERE }, workspace: { volume } }));
  const events = new EventRecorder({ kc: cluster.kc, instance: 'bench' });
  const before = await apiWrites(cluster);
  const started = performance.now();
  await inParallel(N, CONCURRENCY, async (i) => {
    const created = storyRunSchema.parse(
      await custom.createNamespacedCustomObject({ ...SR, namespace: ns, body: storyRun(`w${i}`) }),
    );
    if (volume === 'PersistentVolumeClaim') {
      await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: worktreeVolumeClaim(created, settings) });
    }
    const pod = storyPod(created, { attempt: 1, mode: 'run', sessionId: randomUUID() }, settings);
    await core.createNamespacedPod({ namespace: ns, body: pod });
    await custom.patchNamespacedCustomObjectStatus(
      {
        ...SR,
        namespace: ns,
        name: created.metadata.name,
        body: { status: { phase: 'Admitted', attempt: 1, podName: pod.metadata!.name, observedGeneration: 1 } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await events.normal(created as unknown as k8s.KubernetesObject, 'Admitted', 'admitted; starting the story pod');
  });
  const seconds = (performance.now() - started) / 1000;
  const writes = writesPerStory(before, await apiWrites(cluster), N);
  report(`same writes, ${volume}: all done`, `${seconds.toFixed(1)} s (${(N / seconds).toFixed(0)} stories/s)`);
  report(`same writes, ${volume}: API writes`, describeWrites(writes));
  cleanup.push(ns);
  return seconds;
}

/** StoryRuns through the operator: the time until every one has its pod, and the writes that took. */
async function throughOperator(
  cluster: LocalCluster,
  volume: Volume,
  baselines: { bare: number; same: number },
  duringBurst?: (ns: string, pods: PodWatch) => Promise<void>,
) {
  const custom = cluster.kc.makeApiClient(k8s.CustomObjectsApi);
  const ns = await testNamespace(volume === 'EmptyDir' ? 'bench-empty' : 'bench-sr');
  cleanup.push(ns);
  const { operator, inspectorPort } = await startOperator(cluster, ns, OPERATOR_BUNDLE, volume);
  const pods = await podWatch(cluster, ns);
  // Stories for the pause samples, admitted before the burst.
  const controls = duringBurst ? SAMPLES : 0;
  await inParallel(controls, CONCURRENCY, (i) =>
    custom.createNamespacedCustomObject({ ...SR, namespace: ns, body: storyRun(`c${i}`) }),
  );
  await eventually(`${controls} control pods`, () => pods.count() >= controls, { timeoutMs: 120_000, intervalMs: 50 });
  const before = await apiWrites(cluster);
  const reconcilesBefore = await reconcileCount(operator);
  log(`creating ${N} StoryRuns (${volume})`);
  const started = performance.now();
  const created = inParallel(N, CONCURRENCY, (i) =>
    custom.createNamespacedCustomObject({ ...SR, namespace: ns, body: storyRun(`s${i}`) }),
  );
  const sampling = duringBurst?.(ns, pods);
  await created;
  await eventually(`${N} story pods`, () => pods.count() >= N + controls, { timeoutMs: 30 * 60_000, intervalMs: 20 });
  const seconds = (performance.now() - started) / 1000;
  await sampling;
  const writes = writesPerStory(before, await apiWrites(cluster), N);
  const reconciles = (await reconcileCount(operator)) - reconcilesBefore;
  report(
    `operator, ${volume}: all pods exist`,
    `${seconds.toFixed(1)} s (${(N / seconds).toFixed(0)} stories/s) = ${(baselines.same / seconds).toFixed(2)}x same writes, ${(baselines.bare / seconds).toFixed(2)}x bare pods`,
  );
  report(`operator, ${volume}: API writes`, describeWrites(writes));
  report(`operator, ${volume}: reconciles`, `${(reconciles / N).toFixed(2)} per story`);
  return { ns, operator, inspectorPort, pods, writesPerStory: totalPerStory(writes) };
}

async function reconcileCount(operator: OperatorProcess): Promise<number> {
  const text = await operator.metrics();
  return [...text.matchAll(/^nightshift_controller_reconcile_duration_seconds_count\{[^}]*\} (\S+)$/gm)].reduce(
    (sum, [, v]) => sum + Number(v),
    0,
  );
}

/** Patch `paused` on story `name` and time it until its pod begins terminating. */
async function pauseLatency(
  cluster: LocalCluster,
  ns: string,
  name: string,
  terminating: Map<string, number>,
): Promise<number> {
  const custom = cluster.kc.makeApiClient(k8s.CustomObjectsApi);
  const patchedAt = performance.now();
  await custom.patchNamespacedCustomObject(
    { ...SR, namespace: ns, name, body: { spec: { paused: true } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await eventually(`pod of ${name} to terminate`, () => terminating.has(name), { timeoutMs: 120_000, intervalMs: 2 });
  return terminating.get(name)! - patchedAt;
}

const latencySummary = (latencies: number[]) =>
  `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))} (${latencies.length} samples)`;

async function main() {
  const cluster = await localCluster();
  await installCRDs();
  await bundleIfStale('operator');
  const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
  const custom = cluster.kc.makeApiClient(k8s.CustomObjectsApi);

  // 1. Memory of an idle operator: the TypeScript sources vs the bundle images and npm start run.
  await idleMemory(cluster, 'sources, type stripping', OPERATOR_BIN);
  await idleMemory(cluster, 'bundle', OPERATOR_BUNDLE);

  // 2. Bare pods: the API server's own pace for the same number of pods.
  const bareNs = await testNamespace('bench-bare');
  cleanup.push(bareNs);
  log(`creating ${N} bare pods (${CONCURRENCY} in flight)`);
  const started = performance.now();
  await inParallel(N, CONCURRENCY, (i) =>
    core.createNamespacedPod({
      namespace: bareNs,
      body: {
        metadata: { name: `bare-${i}` },
        spec: { nodeSelector: NOWHERE, containers: [{ name: 'c', image: 'nightshift.local/runner:dev' }] },
      },
    }),
  );
  const bare = (performance.now() - started) / 1000;
  report('bare pods: all created', `${bare.toFixed(1)} s (${(N / bare).toFixed(0)} pods/s)`);

  // 3. The same writes as the operator, from here, then the operator itself; PVC path.
  const same = await sameWrites(cluster, 'PersistentVolumeClaim');
  const burstLatencies: number[] = [];
  const pvc = await throughOperator(cluster, 'PersistentVolumeClaim', { bare, same }, async (ns, pods) => {
    // A person pressing Pause while the backlog is admitted: sampled only while
    // stories still wait for their pods.
    for (let i = 0; i < SAMPLES && pods.count() < N + SAMPLES; i++) {
      burstLatencies.push(await pauseLatency(cluster, ns, `c${i}`, pods.terminating));
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  report('pause → pod terminating, during the burst', latencySummary(burstLatencies));

  // 4. The same after the burst is worked off: the reaction time, not the backlog.
  await eventually(
    'the operator work queue to drain',
    async () => /^nightshift_workqueue_depth\{name="storyrun"\} 0$/m.test(await pvc.operator.metrics()),
    { timeoutMs: 10 * 60_000, intervalMs: 500 },
  );
  const idleLatencies: number[] = [];
  for (let i = 0; i < SAMPLES; i++)
    idleLatencies.push(await pauseLatency(cluster, pvc.ns, `s${i}`, pvc.pods.terminating));
  report('pause → pod terminating, idle', latencySummary(idleLatencies));
  pvc.pods.stop();

  // 5. Memory at 1,000 (with their pods and claims) and 10,000 StoryRuns (the
  // extra ones wait for a queue that does not exist: no pods).
  let total = N + SAMPLES;
  for (const point of MEMORY_POINTS) {
    if (point > total) {
      log(`adding ${point - total} queued StoryRuns`);
      await inParallel(point - total, CONCURRENCY, (i) =>
        custom.createNamespacedCustomObject({
          ...SR,
          namespace: pvc.ns,
          body: storyRun(`q${total + i}`, { queueRef: 'bench' }),
        }),
      );
      total = point;
    }
    await eventually(
      `${point} StoryRuns reconciled`,
      async () => {
        let reconciled = 0;
        let _continue: string | undefined;
        do {
          const page = (await custom.listNamespacedCustomObject({
            ...SR,
            namespace: pvc.ns,
            limit: 2000,
            _continue,
          })) as {
            items: { status?: { phase?: string } }[];
            metadata?: { continue?: string };
          };
          reconciled += page.items.filter((s) => s.status?.phase).length;
          _continue = page.metadata?.continue || undefined;
        } while (_continue);
        return reconciled >= Math.min(point, total);
      },
      { timeoutMs: 60 * 60_000, intervalMs: 5_000 },
    );
    await new Promise((r) => setTimeout(r, 5_000));
    report(`operator RSS with ${point} StoryRuns`, await operatorMemory(pvc.operator, pvc.inspectorPort));
  }
  await pvc.operator.stop();

  // 6. The PVC-less path: worktrees in emptyDir volumes.
  const sameEmpty = await sameWrites(cluster, 'EmptyDir');
  const empty = await throughOperator(cluster, 'EmptyDir', { bare, same: sameEmpty });
  empty.pods.stop();
  await empty.operator.stop();

  console.log('\nadmission benchmark (local cluster, 2 cores; etcd, API server, operator and client on one machine)');
  for (const [what, value] of results) console.log(`  ${what.padEnd(48)} ${value}`);
  console.log(
    '  (API writes are counted by the API server from every client: the scheduler, the volume binder and leases too)',
  );
  await cleanUp(cluster);
  await teardownHarness();
}

const running = new Set<OperatorProcess>();
const cleanup: string[] = [];

/** Leaves a quiet cluster: the bench namespaces gone (their pods and claims with them) and the hostpath volumes reclaimed. */
async function cleanUp(cluster: LocalCluster): Promise<void> {
  for (const operator of running) await operator.stop().catch(() => {});
  if (cleanup.length === 0) return;
  log('deleting the bench namespaces and waiting for their volumes to be reclaimed');
  await cluster.kubectl(['delete', 'namespace', ...cleanup, '--wait=true', '--timeout=30m', '--ignore-not-found']);
  const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
  await eventually(
    'the bench volumes to be reclaimed',
    async () =>
      !(await core.listPersistentVolume()).items.some((pv) => cleanup.includes(pv.spec?.claimRef?.namespace ?? '')),
    { timeoutMs: 30 * 60_000, intervalMs: 2_000 },
  );
}

main().catch(async (error) => {
  console.error(error);
  const cluster = await localCluster();
  await cleanUp(cluster).catch(() => {});
  await teardownHarness().catch(() => {});
  process.exit(1);
});
