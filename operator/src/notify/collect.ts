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

/** A failing source is read again after 1 s, 2 s, 4 s … up to a minute, not on every tick. */
export class SourceBackoff {
  private readonly failures = new Map<string, { count: number; retryAt: number }>();
  due(source: string, now: Date): boolean {
    return (this.failures.get(source)?.retryAt ?? 0) <= now.getTime();
  }
  failed(source: string, now: Date): string {
    const count = (this.failures.get(source)?.count ?? 0) + 1;
    const retryAt = now.getTime() + Math.min(1000 * 2 ** (count - 1), 60_000);
    this.failures.set(source, { count, retryAt });
    return new Date(retryAt).toISOString();
  }
  succeeded(source: string): void {
    this.failures.delete(source);
  }
}

/** Reads each source into the outbox; returns how many rows were added per source. */
export async function collectNotifications(
  pool: pg.Pool,
  sources: NotificationSource[],
  context: SourceContext,
  logger: Logger,
  backoff: SourceBackoff = new SourceBackoff(),
): Promise<Record<string, number>> {
  const added: Record<string, number> = {};
  for (const source of sources) {
    if (!backoff.due(source.name, context.now)) continue;
    try {
      const n = await inTransaction(pool, async (db) => {
        const found = await source.collect(db, context);
        const entries = found.flatMap((f) =>
          recipientsFor(f, context.recipients).map((recipient) => ({ found: f, recipient })),
        );
        return addToOutbox(db, entries);
      });
      if (n) added[source.name] = n;
      backoff.succeeded(source.name);
    } catch (error) {
      // One broken source (a record that does not parse) must not silence the others.
      const retryAt = backoff.failed(source.name, context.now);
      logger.error({ err: error, source: source.name, retryAt }, 'notification source failed');
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
