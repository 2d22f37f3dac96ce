// Benchmark: the story pod's footprint, which decides how many stories fit on
// a node. Runs the sample story (scripted agent, local forge) through the
// operator `--stories` times, `--concurrency` at a time, and prints
//   - the time from `kubectl apply` to the first step started (p50/p99),
//     against a bare pod of the same image until its container runs;
//   - the runner's peak memory per pod, sampled from the pod's cgroup and
//     from its processes' VmHWM, against a bare `node` in the same image.
// Asserts nothing.
//
//   node hack/bench/runner.ts [--stories 20] [--concurrency 2] [--node-options=--max-semi-space-size=2]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OPERATOR_BUNDLE, OperatorProcess, RUNNER_IMAGE } from '../../operator/test/support/operator-process.ts';
import {
  createStoryRun,
  sampleStoryRun,
  storyEnvironment,
  waitForPhase,
  type StoryEnvironment,
} from '../../operator/test/support/story-environment.ts';
import { bundleIfStale } from '../build/bundle.ts';
import { eventually, teardownHarness } from '../test/harness.ts';
import { inParallel, log, percentile, round } from './support/measure.ts';

const { values } = parseArgs({
  options: {
    stories: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '2' },
    'node-options': { type: 'string' },
  },
});
const STORIES = Number(values.stories);
const CONCURRENCY = Number(values.concurrency);
const CGROUP_MEMORY = '/sys/fs/cgroup/memory';

/** The pod's memory cgroup on this node (cgroup v1, cgroupfs driver: kubepods[/qos]/pod<uid>). */
function podCgroup(uid: string): string | undefined {
  for (const qos of ['kubepods', 'kubepods/burstable', 'kubepods/besteffort']) {
    const dir = join(CGROUP_MEMORY, qos, `pod${uid}`);
    try {
      readdirSync(dir);
      return dir;
    } catch {
      // not in this class
    }
  }
  return undefined;
}

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

interface Peak {
  cgroupRssMiB: number;
  cgroupUsageMiB: number;
  processHwmMiB: number;
}

/** Samples a pod's memory every 100 ms until stopped; keeps the peaks. */
function samplePeak(uid: string) {
  const peak: Peak = { cgroupRssMiB: 0, cgroupUsageMiB: 0, processHwmMiB: 0 };
  const sample = () => {
    const dir = podCgroup(uid);
    if (!dir) return;
    const rss = Number(/^total_rss (\d+)$/m.exec(read(join(dir, 'memory.stat')))?.[1] ?? 0) / 2 ** 20;
    const usage = Number(read(join(dir, 'memory.max_usage_in_bytes')) || 0) / 2 ** 20;
    peak.cgroupRssMiB = Math.max(peak.cgroupRssMiB, rss);
    peak.cgroupUsageMiB = Math.max(peak.cgroupUsageMiB, usage);
    const containers = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory());
    for (const container of containers) {
      for (const pid of read(join(dir, container.name, 'cgroup.procs'))
        .split('\n')
        .filter(Boolean)) {
        // The runner, not git or the pause process (Node names its main thread MainThread, so ask argv[0]).
        if (!/(^|\/)node$/.test(read(`/proc/${pid}/cmdline`).split('\0')[0] ?? '')) continue;
        const status = read(`/proc/${pid}/status`);
        const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
        peak.processHwmMiB = Math.max(peak.processHwmMiB, hwm);
      }
    }
  };
  const timer = setInterval(sample, 100);
  return {
    peak,
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

async function podUid(env: StoryEnvironment, selector: string): Promise<string> {
  return eventually(
    `a pod for ${selector}`,
    async () =>
      (await env.core.listNamespacedPod({ namespace: env.namespace, labelSelector: selector })).items[0]?.metadata?.uid,
    { timeoutMs: 120_000, intervalMs: 20 },
  );
}

/** The floor: a bare pod of the runner image, created → its container running, and a bare node's memory in it. */
async function barePod(env: StoryEnvironment, i: number) {
  const name = `bare-${i}`;
  const created = performance.now();
  await env.core.createNamespacedPod({
    namespace: env.namespace,
    body: {
      metadata: { name, labels: { bench: name } },
      spec: {
        restartPolicy: 'Never',
        hostNetwork: true,
        containers: [{ name: 'node', image: RUNNER_IMAGE, command: ['node', '-e', 'setTimeout(() => {}, 3000)'] }],
      },
    },
  });
  const sampler = samplePeak(await podUid(env, `bench=${name}`));
  const running = await eventually(
    `pod ${name} running`,
    async () => {
      const pod = await env.core.readNamespacedPod({ namespace: env.namespace, name });
      return pod.status?.containerStatuses?.[0]?.state?.running ? performance.now() : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 20 },
  );
  await eventually(
    `pod ${name} finished`,
    async () => {
      const pod = await env.core.readNamespacedPod({ namespace: env.namespace, name });
      return ['Succeeded', 'Failed'].includes(pod.status?.phase ?? '');
    },
    { timeoutMs: 120_000, intervalMs: 200 },
  );
  return { startMs: running - created, peak: sampler.stop() };
}

async function story(env: StoryEnvironment, i: number) {
  const name = `footprint-${i}`;
  const createdAt = Date.now();
  const created = await createStoryRun(env, sampleStoryRun(env, name));
  const uid = created.metadata.uid!;
  const podUID = await podUid(env, `nightshift.dev/storyrun-uid=${uid}`);
  const podAt = Date.now();
  const sampler = samplePeak(podUID);
  const runningAt = await eventually(
    `the pod of ${name} running`,
    async () => {
      const pods = await env.core.listNamespacedPod({
        namespace: env.namespace,
        labelSelector: `nightshift.dev/storyrun-uid=${uid}`,
      });
      return pods.items.some((p) => p.status?.containerStatuses?.some((c) => c.state?.running || c.state?.terminated))
        ? Date.now()
        : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 20 },
  );
  const firstStep = await eventually(
    `the first step of ${name}`,
    async () => {
      const { rows } = await env.db.query<{ at: Date }>(
        `select occurred_at as at from execution_events where story_uid = $1 and type = 'StepStarted' order by id limit 1`,
        [uid],
      );
      return rows[0]?.at;
    },
    { timeoutMs: 300_000, intervalMs: 50 },
  );
  const done = await waitForPhase(env, name, ['Succeeded', 'Failed', 'WaitingForHuman'], { timeoutMs: 600_000 });
  const peak = sampler.stop();
  log(
    `${name}: ${done.status!.phase}, first step after ${firstStep.getTime() - createdAt} ms, runner VmHWM ${round(peak.processHwmMiB)} MiB, pod RSS ${round(peak.cgroupRssMiB)} MiB`,
  );
  return {
    firstStepMs: firstStep.getTime() - createdAt,
    podMs: podAt - createdAt,
    runningMs: runningAt - createdAt,
    startupMs: firstStep.getTime() - runningAt,
    phase: done.status!.phase!,
    peak,
  };
}

const spread = (values: number[], unit: string) =>
  `p50 ${round(percentile(values, 50))} ${unit}, p99 ${round(percentile(values, 99))} ${unit}, max ${round(Math.max(...values))} ${unit}`;

async function main() {
  await bundleIfStale('operator');
  const env = await storyEnvironment('bench-runner');
  const operator = await OperatorProcess.startReady({
    kubeconfig: env.cluster.kubeconfigPath,
    databaseURL: env.databaseURL,
    namespace: env.namespace,
    bin: OPERATOR_BUNDLE,
    config: {
      runner: {
        pendingTimeoutSeconds: 120,
        ...(values['node-options'] ? { env: { NODE_OPTIONS: values['node-options'] } } : {}),
      },
      leaderElection: { enabled: false },
    },
    env: { NIGHTSHIFT_LOG_LEVEL: 'warn', NIGHTSHIFT_LEADER_ELECTION: 'false' },
  });
  try {
    log(`${STORIES} bare pods of ${RUNNER_IMAGE}, ${CONCURRENCY} at a time`);
    const bare: Awaited<ReturnType<typeof barePod>>[] = [];
    await inParallel(STORIES, CONCURRENCY, async (i) => void bare.push(await barePod(env, i)));
    log(`${STORIES} sample stories through the operator, ${CONCURRENCY} at a time`);
    const stories: Awaited<ReturnType<typeof story>>[] = [];
    await inParallel(STORIES, CONCURRENCY, async (i) => void stories.push(await story(env, i)));

    const phases = stories.map((s) => s.phase).join(', ');
    console.log(`\nrunner benchmark (local cluster, 2 cores; ${STORIES} stories, ${CONCURRENCY} at a time)`);
    const row = (what: string, value: string) => console.log(`  ${what.padEnd(52)} ${value}`);
    row(
      'bare pod created → container running (baseline)',
      spread(
        bare.map((b) => b.startMs),
        'ms',
      ),
    );
    row(
      'StoryRun applied → first step started',
      spread(
        stories.map((s) => s.firstStepMs),
        'ms',
      ),
    );
    row(
      '  of which: applied → story pod created',
      spread(
        stories.map((s) => s.podMs),
        'ms',
      ),
    );
    row(
      '  applied → its container running',
      spread(
        stories.map((s) => s.runningMs),
        'ms',
      ),
    );
    row(
      '  container running → first step started (runner start)',
      spread(
        stories.map((s) => s.startupMs),
        'ms',
      ),
    );
    row(
      'bare node process VmHWM (baseline)',
      spread(
        bare.map((b) => b.peak.processHwmMiB),
        'MiB',
      ),
    );
    row(
      'runner process VmHWM, whole story',
      spread(
        stories.map((s) => s.peak.processHwmMiB),
        'MiB',
      ),
    );
    row(
      'runner pod cgroup RSS peak (sampled)',
      spread(
        stories.map((s) => s.peak.cgroupRssMiB),
        'MiB',
      ),
    );
    row(
      'runner pod cgroup usage peak (incl. page cache)',
      spread(
        stories.map((s) => s.peak.cgroupUsageMiB),
        'MiB',
      ),
    );
    row('outcomes', phases);
  } finally {
    await operator.stop();
    await env.close();
    await env.cluster.kubectl(['delete', 'namespace', env.namespace, '--wait=false']);
    await teardownHarness();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
