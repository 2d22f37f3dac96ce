// A source turns records the operator and the runners already write into
// notifications for the outbox. Each source reads from its own cursor inside
// the transaction that adds what it found (outbox.ts), so a crash between the
// two repeats the read, and the keyed insert makes the repeat a no-op.
import type pg from 'pg';
import type { Notification } from '@nightshift/crds/contract';
import type { RecipientConfig } from '../../config/notifications.ts';

export interface Found {
  /** What the notification is about, unique per source record: the outbox key. */
  key: string;
  /** Shared by identical alerts, which a recipient is not sent twice within their repeat period. */
  fingerprint: string;
  occurredAt: Date;
  notification: Notification;
  /** Only for these recipients (a summary is made for one); unset: routed by kind and namespace. */
  recipients?: string[];
}

export interface SourceContext {
  now: Date;
  recipients: RecipientConfig[];
}

export interface NotificationSource {
  name: string;
  /** Reads what it has not read yet (advancing its cursor in db's transaction). */
  collect(db: pg.ClientBase, context: SourceContext): Promise<Found[]>;
}

/** Rows younger than this are read again next time: a writer that took a lower id may not have committed yet. */
export const SETTLE_SECONDS = 30;

export async function readCursor(db: pg.ClientBase, source: string): Promise<string> {
  await db.query('insert into notification_cursors (source) values ($1) on conflict (source) do nothing', [source]);
  const { rows } = await db.query<{ position: string }>(
    'select position::text from notification_cursors where source = $1 for update',
    [source],
  );
  return rows[0]!.position;
}

export async function moveCursor(db: pg.ClientBase, source: string, position: string): Promise<void> {
  await db.query('update notification_cursors set position = $2, updated_at = now() where source = $1', [
    source,
    position,
  ]);
}

/**
 * Reads the rows of an append-only table after a cursor, the way every record
 * source does: ids from a sequence are taken before their rows commit, so the
 * cursor moves only past rows older than SETTLE_SECONDS (the rows after it are
 * read again, harmlessly), and never past the last row read when the page was full.
 */
export async function readSequence<R extends { id: string }>(
  db: pg.ClientBase,
  options: { source: string; table: string; timeColumn: string; limit?: number },
  page: (after: string, limit: number) => Promise<R[]>,
): Promise<R[]> {
  const limit = options.limit ?? 500;
  const cursor = await readCursor(db, options.source);
  const rows = await page(cursor, limit);
  const { rows: settled } = await db.query<{ id: string | null }>(
    `select max(id)::text as id from ${options.table}
      where id > $1 and ${options.timeColumn} < now() - make_interval(secs => $2)`,
    [cursor, SETTLE_SECONDS],
  );
  let next = BigInt(settled[0]?.id ?? cursor);
  if (rows.length === limit) next = [next, BigInt(rows.at(-1)!.id)].reduce((a, b) => (a < b ? a : b));
  if (next > BigInt(cursor)) await moveCursor(db, options.source, next.toString());
  return rows;
}

/** true when a table exists (the budget and queue records arrive with their own migrations). */
export async function tableExists(db: pg.ClientBase, table: string): Promise<boolean> {
  const { rows } = await db.query<{ exists: boolean }>('select to_regclass($1) is not null as exists', [table]);
  return rows[0]!.exists;
}
