// WorkQueues in integration tests: create, patch and read them through the
// API, and watch the story pods of a namespace to count how many live at once.
import * as k8s from '@kubernetes/client-node';
import { workQueueSchema, type WorkQueue } from '@nightshift/crds';
import { LABELS } from '@nightshift/crds/contract';
import { eventually } from '../../../hack/test/harness.ts';
import type { StoryEnvironment } from './story-environment.ts';

const api = { group: 'nightshift.dev', version: 'v1alpha1', plural: 'workqueues' };

export async function createWorkQueue(env: StoryEnvironment, name: string, spec: Record<string, unknown>) {
  return workQueueSchema.parse(
    await env.custom.createNamespacedCustomObject({
      ...api,
      namespace: env.namespace,
      body: { apiVersion: 'nightshift.dev/v1alpha1', kind: 'WorkQueue', metadata: { name }, spec },
    }),
  );
}

export async function getWorkQueue(env: StoryEnvironment, name: string): Promise<WorkQueue> {
  return workQueueSchema.parse(await env.custom.getNamespacedCustomObject({ ...api, namespace: env.namespace, name }));
}

export async function patchWorkQueue(env: StoryEnvironment, name: string, spec: Record<string, unknown>) {
  await env.cluster.kubectl([
    'patch',
    'workqueue',
    name,
    '-n',
    env.namespace,
    '--type=merge',
    '-p',
    JSON.stringify({ spec }),
  ]);
}

export async function waitForQueue(
  env: StoryEnvironment,
  name: string,
  what: string,
  check: (queue: WorkQueue) => boolean,
  timeoutMs = 60_000,
): Promise<WorkQueue> {
  let last: WorkQueue | undefined;
  try {
    return await eventually(
      `WorkQueue ${name}: ${what}`,
      async () => {
        last = await getWorkQueue(env, name);
        return check(last) ? last : undefined;
      },
      { timeoutMs, intervalMs: 250 },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\nlast status: ${JSON.stringify(last?.status)}`, { cause: error });
  }
}

export interface PodCensus {
  /** Live story pods now (not finished, not being deleted). */
  live(): number;
  /** The most live at once so far. */
  peak(): number;
  /** Resets the peak to the current count (e.g. after lowering maxParallel). */
  resetPeak(): void;
  /** StoryRun names in the order their first pod was created. */
  startOrder(): string[];
  /** Pods ever created, by StoryRun name. */
  podsPerStory(): Map<string, Set<string>>;
  /** For each pod created since mark(): how many others were live when it appeared. */
  liveAtCreationSince(mark: number): number[];
  mark(): number;
  stop(): void;
}

/** Watches the namespace's story pods from now on and counts them. */
export async function watchPods(env: StoryEnvironment): Promise<PodCensus> {
  const live = new Set<string>();
  const seen = new Map<string, Set<string>>();
  const order: string[] = [];
  const creations: { at: number; others: number }[] = [];
  let peak = 0;
  const watch = new k8s.Watch(env.cluster.kc);
  const request = await watch.watch(
    `/api/v1/namespaces/${env.namespace}/pods`,
    { labelSelector: `${LABELS.name}=nightshift-runner` },
    (type: string, pod: k8s.V1Pod) => {
      const name = pod.metadata!.name!;
      const story = pod.metadata?.labels?.[LABELS.storyRun] ?? '?';
      if (!seen.has(story)) {
        seen.set(story, new Set());
        order.push(story);
      }
      if (!seen.get(story)!.has(name)) {
        seen.get(story)!.add(name);
        creations.push({ at: creations.length, others: live.size });
      }
      const finished = ['Succeeded', 'Failed'].includes(pod.status?.phase ?? '') || !!pod.metadata?.deletionTimestamp;
      if (type === 'DELETED' || finished) live.delete(name);
      else live.add(name);
      peak = Math.max(peak, live.size);
    },
    () => {},
  );
  return {
    live: () => live.size,
    peak: () => peak,
    resetPeak: () => (peak = live.size),
    startOrder: () => [...order],
    podsPerStory: () => seen,
    mark: () => creations.length,
    liveAtCreationSince: (mark) => creations.slice(mark).map((c) => c.others),
    stop: () => request.abort(),
  };
}
