// Step one and two of the notifier, each in its own transaction under the
// notifier's advisory lock (a second notifier during a leader hand-over
// skips): read every source into the outbox, then plan the pending rows into
// deliveries. A crash inside either rolls it back whole; the next tick redoes it.
import type pg from 'pg';
import type { Logger } from '../log.ts';
import { addToOutbox, applyPlan, pendingNotifications, recentlyQueued, tryNotifierLock } from './outbox.ts';
import { planDeliveries, type DeliveryPlan, type QueueSchedule, type RecipientPolicy } from './plan.ts';
import { recipientsFor } from './route.ts';
import type { NotificationSource, SourceContext } from './sources/source.ts';

async function inTransaction<T>(pool: pg.Pool, work: (db: pg.PoolClient) => Promise<T>): Promise<T | undefined> {
  const db = await pool.connect();
  try {
    await db.query('begin');
    if (!(await tryNotifierLock(db))) {
      await db.query('rollback');
      return undefined;
    }
    const result = await work(db);
    await db.query('commit');
    return result;
  } catch (error) {
    await db.query('rollback').catch(() => {});
    throw error;
  } finally {
    db.release();
  }
}

/** Reads each source into the outbox; returns how many rows were added per source. */
export async function collectNotifications(
  pool: pg.Pool,
  sources: NotificationSource[],
  context: SourceContext,
  logger: Logger,
): Promise<Record<string, number>> {
  const added: Record<string, number> = {};
  for (const source of sources) {
    try {
      const n = await inTransaction(pool, async (db) => {
        const found = await source.collect(db, context);
        const entries = found.flatMap((f) =>
          recipientsFor(f, context.recipients).map((recipient) => ({ found: f, recipient })),
        );
        return addToOutbox(db, entries);
      });
      if (n) added[source.name] = n;
    } catch (error) {
      // One broken source (a record that does not parse) must not silence the others.
      logger.error({ err: error, source: source.name }, 'notification source failed; retrying on the next tick');
    }
  }
  return added;
}

/** Plans the pending outbox rows into deliveries; undefined when another notifier holds the lock. */
export async function planOutbox(
  pool: pg.Pool,
  input: { now: Date; recipients: RecipientPolicy[]; queues: QueueSchedule[] },
): Promise<DeliveryPlan | undefined> {
  return inTransaction(pool, async (db) => {
    const pending = await pendingNotifications(db);
    if (pending.length === 0) return { deliveries: [], suppressed: [], held: [] };
    const longestRepeat = Math.max(0, ...input.recipients.map((r) => r.repeatSeconds));
    const delivered = await recentlyQueued(db, longestRepeat);
    const plan = planDeliveries({ ...input, pending, delivered });
    await applyPlan(db, plan, pending);
    return plan;
  });
}
