// The admission ledger (work_queue), story holds and queue events. A queue's
// decision runs inside withQueueLock: a transaction holding a per-queue
// advisory lock, so two replicas (or an old leader finishing a decision while
// the new one starts) decide one after the other over the same rows, and a
// claim turns a row Admitted only from Queued: never twice, never past
// maxParallel. Rows are parsed with the contract's schemas.
import type pg from 'pg';
import { z } from 'zod';
import {
  QUEUE_EVENT_COLUMNS,
  STORY_HOLD_COLUMNS,
  WORK_QUEUE_COLUMNS,
  queueEvents,
  storyHolds,
  workQueueRows,
  type QueueEventType,
  type StoryHoldRow,
  type WorkQueueRow,
} from '@nightshift/crds/contract';

export type { StoryHoldRow, WorkQueueRow } from '@nightshift/crds/contract';

/** Runs fn in a transaction that holds the queue's advisory lock until it commits or rolls back. */
export async function withQueueLock<T>(
  pool: pg.Pool,
  namespace: string,
  queue: string,
  fn: (tx: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const tx = await pool.connect();
  try {
    await tx.query('begin');
    await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `nightshift/workqueue/${namespace}/${queue}`,
    ]);
    const result = await fn(tx);
    await tx.query('commit');
    return result;
  } catch (error) {
    await tx.query('rollback').catch(() => {});
    throw error;
  } finally {
    tx.release();
  }
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** The queue's rows that are not released: stories waiting (Queued) and holding a slot (Admitted). */
export async function readLedger(db: Queryable, namespace: string, queue: string): Promise<WorkQueueRow[]> {
  const { rows } = await db.query(
    `select ${WORK_QUEUE_COLUMNS} from work_queue
      where namespace = $1 and queue_name = $2 and state in ('Queued', 'Admitted')`,
    [namespace, queue],
  );
  return workQueueRows.parseAll(rows);
}

export interface LedgerStory {
  uid: string;
  name: string;
  priority: number;
  repository: string;
}

const arrays = (namespace: string, queue: string, stories: LedgerStory[]) => [
  namespace,
  queue,
  stories.map((s) => s.uid),
  stories.map((s) => s.name),
  stories.map((s) => s.priority),
  stories.map((s) => s.repository),
];

/** Adds rows (Queued) for stories the ledger does not have yet. */
export async function enqueueStories(db: Queryable, namespace: string, queue: string, stories: LedgerStory[]) {
  if (stories.length === 0) return;
  await db.query(
    `insert into work_queue (story_uid, namespace, name, queue_name, priority, repository, state)
     select uid, $1, name, $2, priority, repository, 'Queued'
       from unnest($3::uuid[], $4::text[], $5::int[], $6::text[]) as s(uid, name, priority, repository)
     on conflict (story_uid) do nothing`,
    arrays(namespace, queue, stories),
  );
}

/** Turns these stories Admitted, claimed by this daemon run; returns the uids this call admitted. */
export async function claimAdmissions(
  db: Queryable,
  namespace: string,
  queue: string,
  stories: LedgerStory[],
  daemonRunId: string | undefined,
): Promise<string[]> {
  if (stories.length === 0) return [];
  const { rows } = await db.query(
    `insert into work_queue (story_uid, namespace, name, queue_name, priority, repository, state, claimed_by, admitted_at)
     select uid, $1, name, $2, priority, repository, 'Admitted', $7, now()
       from unnest($3::uuid[], $4::text[], $5::int[], $6::text[]) as s(uid, name, priority, repository)
     on conflict (story_uid) do update
        set state = 'Admitted', claimed_by = $7, admitted_at = now(), priority = excluded.priority, position = null
      where work_queue.state = 'Queued'
     returning story_uid`,
    [...arrays(namespace, queue, stories), daemonRunId ?? null],
  );
  return z
    .array(z.object({ story_uid: z.string() }))
    .parse(rows)
    .map((r) => r.story_uid);
}

/** Frees the slots of stories that finished or went away (and their queue's holds). */
export async function releaseStories(db: Queryable, released: { uid: string; reason: string }[]): Promise<void> {
  if (released.length === 0) return;
  await db.query(
    `update work_queue w set state = 'Released', released_at = now(), release_reason = r.reason, position = null
       from unnest($1::uuid[], $2::text[]) as r(uid, reason)
      where w.story_uid = r.uid and w.state <> 'Released'`,
    [released.map((r) => r.uid), released.map((r) => r.reason)],
  );
  await db.query(`delete from story_holds where story_uid = any($1::uuid[]) and reason = 'ScheduleClosed'`, [
    released.map((r) => r.uid),
  ]);
}

/** Writes the waiting stories' places; returns those whose place changed, with it. */
export async function setPositions(db: Queryable, positions: Map<string, number>): Promise<Map<string, number>> {
  if (positions.size === 0) return new Map();
  const { rows } = await db.query(
    `update work_queue w set position = p.position
       from unnest($1::uuid[], $2::int[]) as p(uid, position)
      where w.story_uid = p.uid and w.state = 'Queued' and w.position is distinct from p.position
     returning w.story_uid, w.position`,
    [[...positions.keys()], [...positions.values()]],
  );
  const changed = z.array(z.object({ story_uid: z.string(), position: z.int() })).parse(rows);
  return new Map(changed.map((r) => [r.story_uid, r.position]));
}

const totalsSchema = z.object({
  admitted_today: z.coerce.number().int(),
  cost_today_usd: z.coerce.number(),
});

/** Stories admitted since `since`, and what the queue's stories spent since then, together (settled model calls). */
export async function queueTotals(pool: Queryable, namespace: string, queue: string, since: Date) {
  const { rows } = await pool.query(
    `select
       (select count(*) from work_queue
         where namespace = $1 and queue_name = $2 and admitted_at >= $3) as admitted_today,
       (select coalesce(sum(r.actual_usd), 0) from cost_reservations r
          join work_queue w on w.story_uid = r.story_uid
         where w.namespace = $1 and w.queue_name = $2 and r.state = 'settled' and r.settled_at >= $3) as cost_today_usd`,
    [namespace, queue, since],
  );
  const totals = totalsSchema.parse(rows[0]);
  return { admittedToday: totals.admitted_today, costTodayUSD: Math.round(totals.cost_today_usd * 1e6) / 1e6 };
}

/** The story's ledger row, if it has one. */
export async function queueRowOf(pool: Queryable, storyUid: string): Promise<WorkQueueRow | undefined> {
  const { rows } = await pool.query(`select ${WORK_QUEUE_COLUMNS} from work_queue where story_uid = $1`, [storyUid]);
  return rows[0] === undefined ? undefined : workQueueRows.parse(rows[0]);
}

/** Places a hold on each story (once per reason); returns the uids newly held. */
export async function placeHolds(
  pool: Queryable,
  hold: { namespace: string; queue: string | undefined; reason: string; message: string },
  storyUids: string[],
): Promise<string[]> {
  if (storyUids.length === 0) return [];
  const { rows } = await pool.query(
    `insert into story_holds (story_uid, reason, namespace, queue_name, message)
     select uid, $2, $3, $4, $5 from unnest($1::uuid[]) as uid
     on conflict (story_uid, reason) do nothing
     returning story_uid`,
    [storyUids, hold.reason, hold.namespace, hold.queue ?? null, hold.message],
  );
  return z
    .array(z.object({ story_uid: z.string() }))
    .parse(rows)
    .map((r) => r.story_uid);
}

/** Lifts a queue's holds of one reason; returns the uids no longer held for it. */
export async function liftHolds(pool: Queryable, namespace: string, queue: string, reason: string): Promise<string[]> {
  const { rows } = await pool.query(
    `delete from story_holds where namespace = $1 and queue_name = $2 and reason = $3 returning story_uid`,
    [namespace, queue, reason],
  );
  return z
    .array(z.object({ story_uid: z.string() }))
    .parse(rows)
    .map((r) => r.story_uid);
}

export async function holdsOf(pool: Queryable, storyUid: string): Promise<StoryHoldRow[]> {
  const { rows } = await pool.query(
    `select ${STORY_HOLD_COLUMNS} from story_holds where story_uid = $1 order by held_at, reason`,
    [storyUid],
  );
  return storyHolds.parseAll(rows);
}

export interface QueueEvent {
  namespace: string;
  queue: string;
  type: QueueEventType;
  message: string;
  data: Record<string, unknown>;
  idempotencyKey: string;
}

/** true when this call recorded it (false: it was recorded before). */
export async function recordQueueEvent(pool: Queryable, event: QueueEvent): Promise<boolean> {
  const { rowCount } = await pool.query(
    `insert into queue_events (namespace, queue_name, type, message, data, idempotency_key)
     values ($1, $2, $3, $4, $5, $6) on conflict (idempotency_key) do nothing`,
    [event.namespace, event.queue, event.type, event.message, JSON.stringify(event.data), event.idempotencyKey],
  );
  return rowCount === 1;
}

/** When the queue last had an event of this type. */
export async function lastQueueEvent(pool: Queryable, namespace: string, queue: string, type: QueueEventType) {
  const { rows } = await pool.query(
    `select ${QUEUE_EVENT_COLUMNS} from queue_events
      where namespace = $1 and queue_name = $2 and type = $3 order by id desc limit 1`,
    [namespace, queue, type],
  );
  return rows[0] === undefined ? undefined : queueEvents.parse(rows[0]);
}

export async function markQueueEventApplied(pool: Queryable, id: string): Promise<void> {
  await pool.query('update queue_events set applied_at = now() where id = $1 and applied_at is null', [id]);
}
