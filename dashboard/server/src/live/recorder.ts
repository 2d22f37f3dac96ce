// Records what the informers see into the change log: every version of a
// StoryRun, WorkQueue, Budget and story pod once (record_resource_changes
// skips versions already recorded, so a relist after a restart, or a second
// replica, adds nothing), and after the caches sync, the deletions that
// happened while no dashboard watched. Changes wait a few milliseconds and
// go in batches; of one object only its newest version waits.
import type * as k8s from '@kubernetes/client-node';
import { budgetSchema, workQueueSchema } from '@nightshift/crds';
import { LABELS, RESOURCE_STATE_COLUMNS, resourceState, type ChangeKind } from '@nightshift/crds/contract';
import { errorMessage, type InformerEvent, type Runnable } from '@nightshift/operator/kube';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ClusterView, IndexedStory } from '../cluster/cluster.ts';
import { postgresJSON } from '../records/json.ts';
import { budgetView, podViewOf, queueView } from '../views/resources.ts';

export interface ResourceChange {
  kind: Exclude<ChangeKind, 'event'>;
  op: 'upsert' | 'delete';
  uid: string;
  namespace: string;
  name: string;
  resourceVersion: string;
  queue: string | null;
  storyUid: string | null;
  object: unknown;
}

const BATCH = 500;

export class ChangeRecorder implements Runnable {
  readonly name = 'change recorder';
  readonly needLeaderElection = false;
  private readonly pool: pg.Pool;
  private readonly cluster: ClusterView;
  private readonly logger: Logger;
  private readonly pending = new Map<string, ResourceChange>();
  private readonly unsubscribes: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private stopped = false;

  constructor(deps: { pool: pg.Pool; cluster: ClusterView; logger: Logger }) {
    this.pool = deps.pool;
    this.cluster = deps.cluster;
    this.logger = deps.logger.child({ runnable: this.name });
  }

  async start(signal: AbortSignal): Promise<void> {
    const c = this.cluster;
    this.unsubscribes.push(
      c.onStory((e) => this.onStory(e)),
      c.workQueues.subscribe((e) => this.onObject('WorkQueue', e)),
      c.budgets.subscribe((e) => this.onObject('Budget', e)),
      c.pods.subscribe((e) => this.onPod(e)),
    );
    await c.waitForSync(signal);
    await this.recordMissedDeletions();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    clearTimeout(this.timer);
    await this.flushing;
    await this.flush(); // what is still waiting
  }

  /** Resolves once every change seen so far is in the change log (tests, the benchmark). */
  async settled(): Promise<void> {
    while (this.pending.size > 0 || this.flushing) {
      await (this.flushing ?? new Promise((r) => setTimeout(r, 5)));
    }
  }

  private onStory(event: InformerEvent<IndexedStory>): void {
    if (event.type === 'resync') return;
    const { run, summary } = event.object;
    this.enqueue({
      kind: 'StoryRun',
      op: event.type === 'delete' ? 'delete' : 'upsert',
      uid: summary.uid,
      namespace: summary.namespace,
      name: summary.name,
      resourceVersion: summary.resourceVersion,
      queue: run.spec.queueRef ?? null,
      storyUid: summary.uid,
      object: event.type === 'delete' ? null : summary,
    });
  }

  private onObject(kind: 'WorkQueue' | 'Budget', event: InformerEvent<k8s.KubernetesObject>): void {
    if (event.type === 'resync') return;
    const meta = event.object.metadata ?? {};
    let object: unknown = null;
    if (event.type !== 'delete') {
      if (kind === 'WorkQueue') {
        const parsed = workQueueSchema.safeParse(event.object);
        if (!parsed.success) return;
        const stories = this.cluster
          .allStories()
          .filter((s) => s.summary.namespace === meta.namespace && s.summary.queue === meta.name);
        object = queueView(
          parsed.data,
          stories.map((s) => s.summary),
        );
      } else {
        const parsed = budgetSchema.safeParse(event.object);
        if (!parsed.success) return;
        const queues = this.cluster
          .queues(meta.namespace)
          .filter((q) => q.spec.budgetRef === meta.name)
          .map((q) => q.metadata.name);
        object = budgetView(parsed.data, queues);
      }
    }
    this.enqueue({
      kind,
      op: event.type === 'delete' ? 'delete' : 'upsert',
      uid: meta.uid ?? '',
      namespace: meta.namespace ?? '',
      name: meta.name ?? '',
      resourceVersion: meta.resourceVersion ?? '',
      queue: kind === 'WorkQueue' ? (meta.name ?? null) : null,
      storyUid: null,
      object,
    });
  }

  private onPod(event: InformerEvent<k8s.V1Pod>): void {
    if (event.type === 'resync') return;
    const meta = event.object.metadata ?? {};
    const storyUid = meta.labels?.[LABELS.storyRunUid] ?? null;
    this.enqueue({
      kind: 'Pod',
      op: event.type === 'delete' ? 'delete' : 'upsert',
      uid: meta.uid ?? '',
      namespace: meta.namespace ?? '',
      name: meta.name ?? '',
      resourceVersion: meta.resourceVersion ?? '',
      queue: (storyUid && this.cluster.storyByUid(storyUid)?.run.spec.queueRef) ?? null,
      storyUid,
      object: event.type === 'delete' ? null : podViewOf(event.object),
    });
  }

  private enqueue(change: ResourceChange): void {
    if (!change.uid || this.stopped) return;
    this.pending.set(`${change.kind}/${change.uid}`, change);
    this.schedule(20);
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.pending.size > 0) this.schedule(this.failures ? Math.min(30_000, 200 * 2 ** this.failures) : 0);
      });
    }, delayMs);
  }

  private async flush(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = [...this.pending.entries()].slice(0, BATCH);
      for (const [key] of batch) this.pending.delete(key);
      try {
        await this.pool.query('select record_resource_changes($1::jsonb)', [postgresJSON(batch.map(([, c]) => c))]);
        this.failures = 0;
      } catch (error) {
        this.failures++;
        // Put them back unless a newer version of the same object arrived meanwhile.
        for (const [key, change] of batch) if (!this.pending.has(key)) this.pending.set(key, change);
        this.logger.warn(
          { err: error, failures: this.failures },
          `recording ${batch.length} changes failed: ${errorMessage(error)}`,
        );
        return;
      }
    }
  }

  /** Objects the change log holds as alive that the synced caches no longer have were deleted while nobody watched. */
  private async recordMissedDeletions(): Promise<void> {
    const { rows } = await this.pool.query(
      `select ${RESOURCE_STATE_COLUMNS} from resource_state where not deleted and ($1::text[] is null or namespace = any($1))`,
      [this.cluster.namespaces.length ? this.cluster.namespaces : null],
    );
    const live = new Set<string>([
      ...this.cluster.storyRuns.list().map((o) => `StoryRun/${o.metadata?.uid}`),
      ...this.cluster.workQueues.list().map((o) => `WorkQueue/${o.metadata?.uid}`),
      ...this.cluster.budgets.list().map((o) => `Budget/${o.metadata?.uid}`),
      ...this.cluster.pods.list().map((o) => `Pod/${o.metadata?.uid}`),
    ]);
    let missed = 0;
    for (const row of resourceState.parseAll(rows)) {
      const key = `${row.kind}/${row.uid}`;
      if (live.has(key) || this.pending.has(key)) continue;
      missed++;
      this.enqueue({
        kind: row.kind as ResourceChange['kind'],
        op: 'delete',
        uid: row.uid,
        namespace: row.namespace,
        name: row.name,
        resourceVersion: row.resource_version,
        queue: row.queue,
        storyUid: row.story_uid,
        object: null,
      });
    }
    if (missed) this.logger.info({ missed }, 'recorded deletions that happened while no dashboard watched');
  }
}
