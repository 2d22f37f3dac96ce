// The change feed: reads the change log in seq order as it grows (woken by
// NOTIFY on a dedicated connection that reconnects, with a slow periodic
// read in case a notification is lost) and hands each change, in order and
// once, to its listeners (the WebSocket hub). Replays read the same rows.
// Because seq numbers are taken in commit order (ADR 0005), "everything
// after N" is a plain `seq > N`: nothing can commit behind a reader.
import {
  CHANGE_LOG_COLUMNS,
  NOTIFY_CHANNELS,
  changeLog,
  executionEvents,
  EXECUTION_EVENT_COLUMNS,
  type ExecutionEvent,
} from '@nightshift/crds/contract';
import { errorMessage, type Runnable } from '@nightshift/operator/kube';
import pg from 'pg';
import type { Logger } from 'pino';
import type { ChangeMessage, EventView } from '../api/schemas.ts';
import type { ClusterView } from '../cluster/cluster.ts';

export type ChangeListener = (changes: readonly ChangeMessage[]) => void;

const PAGE = 1_000;
const QUALIFIED = CHANGE_LOG_COLUMNS.split(', ')
  .map((c) => `c.${c}`)
  .join(', ');
const EVENT_COLUMNS = EXECUTION_EVENT_COLUMNS.split(', ')
  .map((c) => `e.${c} as e_${c}`)
  .join(', ');

export function eventView(e: ExecutionEvent): EventView {
  return {
    id: Number(e.id),
    storyUid: e.storyUid,
    sessionId: e.sessionId,
    at: e.occurredAt.toISOString(),
    source: e.source,
    type: e.type,
    step: e.step,
    message: e.message,
    data: e.data,
  };
}

export class ChangeFeed implements Runnable {
  readonly name = 'change feed';
  readonly needLeaderElection = false;
  private readonly pool: pg.Pool;
  private readonly databaseURL: string;
  private readonly cluster: ClusterView;
  private readonly logger: Logger;
  private readonly listeners = new Set<ChangeListener>();
  private readonly retentionHours: number;
  private headSeq = 0;
  private started = false;
  private reading: Promise<void> | undefined;
  private again = false;
  private listen: pg.Client | undefined;
  private stopped = false;
  private timers: NodeJS.Timeout[] = [];
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(deps: {
    pool: pg.Pool;
    databaseURL: string;
    cluster: ClusterView;
    logger: Logger;
    retentionHours: number;
  }) {
    this.pool = deps.pool;
    this.databaseURL = deps.databaseURL;
    this.cluster = deps.cluster;
    this.logger = deps.logger.child({ runnable: this.name });
    this.retentionHours = deps.retentionHours;
  }

  /** The highest seq handed to listeners. */
  get head(): number {
    return this.headSeq;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    const { rows } = await this.pool.query('select coalesce(max(seq), 0)::bigint as head from change_log');
    this.headSeq = Number(rows[0].head);
    this.started = true;
    await this.connect();
    this.timers.push(setInterval(() => this.wake(), 5_000));
    this.timers.push(setInterval(() => void this.prune(), 10 * 60_000));
    for (const t of this.timers) t.unref();
    void this.prune();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.reconnectTimer);
    await this.reading;
    const listen = this.listen;
    this.listen = undefined;
    await listen?.end().catch(() => {});
  }

  /** Reads what is new and tells the listeners; concurrent wakes fold into one more read. */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readNew()
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, `reading the change log failed: ${errorMessage(error)}`),
      )
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Changes after seq, in order, at most limit (a replay's page). */
  async after(seq: number, limit = PAGE): Promise<ChangeMessage[]> {
    const { rows } = await this.pool.query(
      `select ${QUALIFIED}, r.namespace as story_namespace, r.name as story_name, r.queue as story_queue, ${EVENT_COLUMNS}
         from change_log c
         left join resource_state r on r.kind = 'StoryRun' and r.uid = c.story_uid
         left join execution_events e on e.id = c.event_id
        where c.seq > $1 order by c.seq limit $2`,
      [seq, limit],
    );
    return rows.map((row) => this.message(row));
  }

  /** The oldest seq a replay can start after (older changes were pruned). */
  async horizon(): Promise<number> {
    const { rows } = await this.pool.query('select pruned_through from change_log_horizon');
    return Number(rows[0]?.pruned_through ?? 0);
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const changes = await this.after(this.headSeq);
      if (changes.length === 0) return;
      this.headSeq = changes.at(-1)!.seq;
      for (const listener of this.listeners) {
        try {
          listener(changes);
        } catch (error) {
          this.logger.error({ err: error }, 'a change listener threw');
        }
      }
      if (changes.length < PAGE) return;
    }
  }

  private message(row: Record<string, unknown>): ChangeMessage {
    const c = changeLog.parse(row);
    const event =
      c.kind === 'event' && row.e_id !== null && row.e_id !== undefined
        ? executionEvents.parse(
            Object.fromEntries(
              Object.entries(row)
                .filter(([k]) => k.startsWith('e_'))
                .map(([k, v]) => [k.slice(2), v]),
            ),
          )
        : undefined;
    // The story this change belongs to: as recorded, else as the cache knows it now.
    const cached = c.story_uid ? this.cluster.storyByUid(c.story_uid)?.summary : undefined;
    const storyNamespace = (row.story_namespace as string | null) ?? cached?.namespace ?? null;
    const storyName = (row.story_name as string | null) ?? cached?.name ?? null;
    const queue = c.kind === 'WorkQueue' ? c.name : ((row.story_queue as string | null) ?? cached?.queue ?? null);
    return {
      type: 'change',
      seq: c.seq,
      at: c.at.toISOString(),
      kind: c.kind,
      op: c.op,
      uid: c.uid,
      namespace: c.namespace ?? storyNamespace,
      name: c.name ?? storyName,
      storyUid: c.story_uid,
      storyName: c.story_uid ? storyName : null,
      queue,
      resourceVersion: c.resource_version,
      object: c.object ?? null,
      event: event ? eventView(event) : null,
    };
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.databaseURL,
      application_name: 'nightshift-dashboard-listen',
    });
    const retry = (error: Error) => {
      if (this.listen !== client || this.stopped || this.reconnectTimer) return;
      this.logger.warn({ err: error }, `change notifications interrupted; reconnecting: ${errorMessage(error)}`);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        void this.connect();
      }, 1_000);
    };
    client.on('notification', () => this.wake());
    client.on('error', retry);
    client.on('end', () => retry(new Error('notification connection ended')));
    this.listen = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNELS.changes}`);
      this.wake(); // whatever committed while we were not listening
    } catch (error) {
      retry(error as Error);
      await client.end().catch(() => {});
    }
  }

  /** Drops changes older than the retention, remembering how far, so a replay from before says so. */
  private async prune(): Promise<void> {
    try {
      await this.pool.query(
        `with gone as (delete from change_log where at < now() - make_interval(hours => $1) returning seq)
         update change_log_horizon set pruned_through = greatest(pruned_through, (select coalesce(max(seq), 0) from gone))`,
        [this.retentionHours],
      );
    } catch (error) {
      this.logger.warn({ err: error }, `pruning the change log failed: ${errorMessage(error)}`);
    }
  }
}
