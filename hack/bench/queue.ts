// Benchmark: WorkQueue admission. 1,000 StoryRuns in one queue with
// maxParallel 50; story pods are held Pending (a nodeSelector no node matches,
// as in admission.ts) and slots free when stories are aborted. Prints
// admissions per second (a burst and sustained churn) against the same
// operator starting stories without a queue, the time from a slot freeing
// (the finished story's pod gone) to the next admission (p50/p99), and the
// CPU time per admission of the decision loop and of the whole operator.
// Asserts nothing.
//
//   node hack/bench/queue.ts [--n 1000] [--max 50] [--samples 100] [--concurrency 16]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { createPool } from '@nightshift/operator/postgres';
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
    max: { type: 'string', default: '50' },
    samples: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '16' },
  },
});
const N = Number(values.n);
const MAX = Number(values.max);
const SAMPLES = Number(values.samples);
const CONCURRENCY = Number(values.concurrency);
const NOWHERE = { 'nightshift.dev/bench': 'no-such-node' };
const API = { group: 'nightshift.dev', version: 'v1alpha1' };

const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** user + system CPU seconds the process has used (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const storyRun = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'nightshift.dev/v1alpha1',
  kind: 'StoryRun',
  metadata: { name },
  spec: {
    story: { id: name.toUpperCase(), title: `bench ${name}` },
    repository: { url: 'http://127.0.0.1:9/none.git' },
    ...spec,
  },
});

/** Deletes the StoryRuns while the operator still runs: each carries its finalizer, and only the operator removes it. */
let cleanUp = async () => {};

async function main() {
  const cluster = await localCluster();
  await installCRDs();
  const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
  const custom = cluster.kc.makeApiClient(k8s.CustomObjectsApi);
  const ns = await testNamespace('bench-queue');
  const databaseURL = await testDatabase('bench_queue');
  const db = createPool(databaseURL, { applicationName: 'bench-queue', max: 4 });
  const operator = await OperatorProcess.startReady({
    kubeconfig: cluster.kubeconfigPath,
    databaseURL,
    namespace: ns,
    config: {
      runner: { nodeSelector: NOWHERE },
      workspace: { volume: 'EmptyDir' },
      leaderElection: { enabled: false },
      logLevel: 'warn',
    },
    env: { NIGHTSHIFT_LOG_LEVEL: 'warn', NIGHTSHIFT_LEADER_ELECTION: 'false' },
  });
  running = operator;
  cleanUp = async () => {
    log('deleting the StoryRuns (the operator finalizes them)');
    await eventually(
      'every StoryRun deleted and finalized',
      async () => {
        const left = (await custom.listNamespacedCustomObject({
          ...API,
          namespace: ns,
          plural: 'storyruns',
          limit: 1,
        })) as {
          items: unknown[];
        };
        if (left.items.length === 0) return true;
        await custom
          .deleteCollectionNamespacedCustomObject({ ...API, namespace: ns, plural: 'storyruns' })
          .catch((error: { code?: number }) => {
            if (error.code !== 504) throw error;
          });
        return false;
      },
      { timeoutMs: 60 * 60_000, intervalMs: 5_000 },
    );
  };
  const results: Record<string, string> = {};
  const metric = async (name: string) => {
    const text = await operator.metrics();
    return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  };
  const create = (name: string, spec?: Record<string, unknown>) =>
    custom.createNamespacedCustomObject({ ...API, namespace: ns, plural: 'storyruns', body: storyRun(name, spec) });
  const patchStory = (name: string, spec: Record<string, unknown>) =>
    custom.patchNamespacedCustomObject(
      { ...API, namespace: ns, plural: 'storyruns', name, body: { spec } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  const patchQueue = (spec: Record<string, unknown>) =>
    custom.patchNamespacedCustomObject(
      { ...API, namespace: ns, plural: 'workqueues', name: 'bench', body: { spec } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  const podCount = async () => (await core.listNamespacedPod({ namespace: ns })).items.length;

  // 1. Baseline: MAX stories without a queue: the operator's own pace from StoryRun to pod.
  log(`baseline: ${MAX} StoryRuns without a queue`);
  let cpu0 = cpuSeconds(operator.pid!);
  let started = performance.now();
  await inParallel(MAX, CONCURRENCY, (i) => create(`direct-${i}`));
  await eventually(`${MAX} pods`, async () => (await podCount()) >= MAX, { timeoutMs: 10 * 60_000, intervalMs: 100 });
  const baselineSeconds = (performance.now() - started) / 1000;
  const baselineCpu = (cpuSeconds(operator.pid!) - cpu0) / MAX;
  results[`baseline: ${MAX} stories without a queue → pods`] =
    `${baselineSeconds.toFixed(1)} s (${(MAX / baselineSeconds).toFixed(1)} stories/s), operator CPU ${(baselineCpu * 1000).toFixed(1)} ms per story`;
  log(results[`baseline: ${MAX} stories without a queue → pods`]!);
  await inParallel(MAX, CONCURRENCY, (i) => patchStory(`direct-${i}`, { abort: { requested: true } }));
  await eventually('baseline pods gone', async () => (await podCount()) === 0, {
    timeoutMs: 10 * 60_000,
    intervalMs: 250,
  });

  // 2. N stories queued in one (paused) queue.
  await custom.createNamespacedCustomObject({
    ...API,
    namespace: ns,
    plural: 'workqueues',
    body: {
      apiVersion: 'nightshift.dev/v1alpha1',
      kind: 'WorkQueue',
      metadata: { name: 'bench' },
      spec: { maxParallel: MAX, paused: true },
    },
  });
  log(`creating ${N} StoryRuns in queue bench (maxParallel ${MAX}, paused)`);
  started = performance.now();
  await inParallel(N, CONCURRENCY, (i) =>
    create(`q-${String(i).padStart(4, '0')}`, { queueRef: 'bench', priority: i % 7 }),
  );
  const queuedCount = async () =>
    Number((await db.query(`select count(*)::int as n from work_queue where state = 'Queued'`)).rows[0].n);
  await eventually(`${N} queued in the ledger`, async () => (await queuedCount()) >= N, {
    timeoutMs: 30 * 60_000,
    intervalMs: 500,
  });
  // Let the operator work off the burst of new stories first, so the next numbers are admissions, not backlog.
  await eventually(
    'the StoryRun work queue to drain',
    async () => /^nightshift_workqueue_depth\{name="storyrun"\} 0$/m.test(await operator.metrics()),
    { timeoutMs: 30 * 60_000, intervalMs: 500 },
  );
  results[`${N} StoryRuns created and queued`] = `${((performance.now() - started) / 1000).toFixed(1)} s`;
  log(results[`${N} StoryRuns created and queued`]!);

  // 3. Burst: unpause; the first MAX admissions, to pods.
  started = performance.now();
  await patchQueue({ paused: false });
  await eventually(`${MAX} pods`, async () => (await podCount()) >= MAX, { timeoutMs: 10 * 60_000, intervalMs: 100 });
  const burstSeconds = (performance.now() - started) / 1000;
  results[`burst: unpause → ${MAX} admitted stories with pods`] =
    `${burstSeconds.toFixed(1)} s (${(MAX / burstSeconds).toFixed(1)} admissions/s; baseline ${(MAX / baselineSeconds).toFixed(1)} stories/s, ratio ${(burstSeconds / baselineSeconds).toFixed(2)}x)`;
  log(results[`burst: unpause → ${MAX} admitted stories with pods`]!);

  const admittedNames = async () =>
    (await db.query(`select name from work_queue where state = 'Admitted' order by admitted_at, name`)).rows.map(
      (r) => r.name as string,
    );
  const waitSettled = () =>
    eventually(
      'the queue full again',
      async () => (await admittedNames()).length === MAX && (await podCount()) >= MAX,
      {
        timeoutMs: 5 * 60_000,
        intervalMs: 50,
      },
    );

  // 4. One slot at a time: from the finished story's pod gone to the next admission (ledger admitted_at).
  log(`slot-free → next admission, ${SAMPLES} samples`);
  const freeToAdmit: number[] = [];
  const abortToAdmit: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    await waitSettled();
    const [victim] = await admittedNames();
    const before = new Date();
    const abortAt = Date.now();
    const [pod] = (await core.listNamespacedPod({ namespace: ns, labelSelector: `nightshift.dev/storyrun=${victim}` }))
      .items;
    await patchStory(victim!, { abort: { requested: true } });
    // When the slot really frees: the story's pod gone (polled, as a watch may be reconnecting).
    let goneAt: number | undefined;
    const podGoneAt = async (_name: string) => {
      if (goneAt) return goneAt;
      const exists = await core.readNamespacedPod({ namespace: ns, name: pod!.metadata!.name! }).then(
        () => true,
        () => false,
      );
      if (!exists) goneAt = Date.now();
      return goneAt;
    };
    const goneWatch = eventually('the pod gone', () => podGoneAt(victim!), { timeoutMs: 60_000, intervalMs: 5 });
    const next = await eventually(
      'the next admission',
      async () => {
        const { rows } = await db.query(
          `select extract(epoch from admitted_at) * 1000 as at from work_queue where admitted_at > $1 order by admitted_at limit 1`,
          [before],
        );
        return rows[0] ? Number(rows[0].at) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 5 },
    );
    const gone = await goneWatch;
    freeToAdmit.push(next - gone);
    abortToAdmit.push(next - abortAt);
  }
  freeToAdmit.sort((a, b) => a - b);
  abortToAdmit.sort((a, b) => a - b);
  results['slot freed (pod gone) → next admission p50 / p99'] =
    `${percentile(freeToAdmit, 50).toFixed(0)} / ${percentile(freeToAdmit, 99).toFixed(0)} ms`;
  results['abort patch → next admission p50 / p99'] =
    `${percentile(abortToAdmit, 50).toFixed(0)} / ${percentile(abortToAdmit, 99).toFixed(0)} ms (the story's own abort, pod deletion and status included)`;
  log(results['slot freed (pod gone) → next admission p50 / p99']!);

  // 5. Sustained churn: abort everything admitted, again and again, until the queue is empty.
  await waitSettled();
  const decision0 = await metric('nightshift_workqueue_decision_cpu_seconds_total');
  const admissions0 = await metric('nightshift_workqueue_admissions_total');
  cpu0 = cpuSeconds(operator.pid!);
  started = performance.now();
  log('churn: aborting every admitted story until the queue is drained');
  for (;;) {
    const names = await admittedNames();
    const left = await queuedCount();
    if (left === 0) break;
    await inParallel(names.length, CONCURRENCY, (i) => patchStory(names[i]!, { abort: { requested: true } }));
    await eventually(
      'the next wave admitted',
      async () => {
        const now = await admittedNames();
        return now.length >= Math.min(MAX, left) && !now.some((n) => names.includes(n));
      },
      { timeoutMs: 5 * 60_000, intervalMs: 100 },
    );
  }
  const churnSeconds = (performance.now() - started) / 1000;
  const churnAdmissions = (await metric('nightshift_workqueue_admissions_total')) - admissions0;
  const decisionCpu = (await metric('nightshift_workqueue_decision_cpu_seconds_total')) - decision0;
  const operatorCpu = cpuSeconds(operator.pid!) - cpu0;
  results['churn: admissions per second'] =
    `${(churnAdmissions / churnSeconds).toFixed(1)} (${churnAdmissions} in ${churnSeconds.toFixed(1)} s, each wave ${MAX} aborts + ${MAX} admissions)`;
  results['decision loop CPU per admission'] =
    `${((decisionCpu / churnAdmissions) * 1000).toFixed(2)} ms (snapshot of ${N} cached stories + admitNext; ${(decisionCpu * 1000).toFixed(0)} ms in all)`;
  results['whole operator CPU per admission (churn)'] =
    `${((operatorCpu / churnAdmissions) * 1000).toFixed(1)} ms (abort, pod delete, status writes, claim, new pod; baseline per story without a queue ${(baselineCpu * 1000).toFixed(1)} ms)`;
  const reconciles = await metric('nightshift_controller_reconcile_duration_seconds_count');
  results['reconciles in all'] = String(reconciles);

  console.log(
    `\nqueue benchmark (local cluster, 2 cores; etcd, API server, Postgres, operator and client on one machine)`,
  );
  for (const [what, value] of Object.entries(results)) console.log(`  ${what.padEnd(52)} ${value}`);

  await cleanUp();

  await operator.stop();
  await db.end();
  await cluster.kubectl(['delete', 'namespace', ns, '--wait=true', '--timeout=30m']);
  await teardownHarness();
}

let running: OperatorProcess | undefined;

main().catch(async (error) => {
  console.error(error);
  await cleanUp().catch(() => {});
  await running?.stop().catch(() => {});
  await teardownHarness().catch(() => {});
  process.exit(1);
});
