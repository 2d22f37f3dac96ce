// notification_outbox: one row per notification and recipient, keyed by
// (recipient, key) so a source read twice adds nothing. The planner reads the
// pending rows and turns them into deliveries or drops them, in one
// transaction (the caller's).
import type pg from 'pg';
import {
  OUTBOX_COLUMNS,
  notificationOutbox,
  severityOf,
  type NotificationKind,
  type OutboxRow,
} from '@nightshift/crds/contract';
import type { Delivered } from './repeat.ts';
import type { DeliveryPlan, PendingItem } from './plan.ts';
import type { Found } from './sources/source.ts';

/** Only one notifier at a time collects and plans (a leader hand-over may briefly overlap). */
export const NOTIFIER_LOCK = "hashtext('nightshift-notifier')";

export async function tryNotifierLock(db: pg.ClientBase): Promise<boolean> {
  const { rows } = await db.query<{ locked: boolean }>(`select pg_try_advisory_xact_lock(${NOTIFIER_LOCK}) as locked`);
  return rows[0]!.locked;
}

/** Adds one row per found notification and recipient; returns how many were new. */
export async function addToOutbox(db: pg.ClientBase, entries: { found: Found; recipient: string }[]): Promise<number> {
  if (entries.length === 0) return 0;
  const rows = entries.map(({ found, recipient }) => ({
    recipient,
    key: found.key,
    kind: found.notification.kind,
    severity: severityOf(found.notification.kind),
    fingerprint: found.fingerprint,
    notification: found.notification,
    occurred_at: found.occurredAt.toISOString(),
  }));
  const { rowCount } = await db.query(
    `insert into notification_outbox (recipient, key, kind, severity, fingerprint, notification, occurred_at)
     select recipient, key, kind, severity, fingerprint, notification, occurred_at
       from jsonb_to_recordset($1::jsonb) as x(recipient text, key text, kind text, severity text, fingerprint text,
                                               notification jsonb, occurred_at timestamptz)
     on conflict (recipient, key) do nothing`,
    [JSON.stringify(rows)],
  );
  return rowCount ?? 0;
}

const pendingItemOf = (row: OutboxRow & { resolved: boolean }): PendingItem => ({
  id: row.id,
  recipient: row.recipient,
  kind: row.kind,
  severity: row.severity,
  fingerprint: row.fingerprint,
  createdAt: row.created_at,
  occurredAt: row.occurred_at,
  notification: row.notification,
  resolved: row.resolved,
});

/** The pending rows, each DecisionNeeded marked resolved when its question has been answered since. */
export async function pendingNotifications(db: pg.ClientBase): Promise<PendingItem[]> {
  const { rows } = await db.query(
    `select ${OUTBOX_COLUMNS.split(', ')
      .map((c) => `o.${c}`)
      .join(', ')},
            (o.kind = 'DecisionNeeded' and exists (
               select 1 from decision_queue d
                where d.id = o.notification #>> '{decision,id}' and d.answered_at is not null)) as resolved
       from notification_outbox o where o.state = 'pending' order by o.id for update of o`,
  );
  return rows.map((row: Record<string, unknown>) =>
    pendingItemOf({ ...notificationOutbox.parse(row), resolved: row.resolved === true }),
  );
}

/** What each recipient was sent within the last withinSeconds (by fingerprint). */
export async function recentlyQueued(
  db: pg.ClientBase,
  withinSeconds: number,
): Promise<(Delivered & { recipient: string })[]> {
  const { rows } = await db.query<{ recipient: string; fingerprint: string; decided_at: Date }>(
    `select recipient, fingerprint, max(decided_at) as decided_at from notification_outbox
      where state = 'queued' and decided_at > now() - make_interval(secs => $1)
      group by recipient, fingerprint`,
    [withinSeconds],
  );
  return rows.map((r) => ({ recipient: r.recipient, fingerprint: r.fingerprint, decidedAt: r.decided_at }));
}

/** Writes a plan: its deliveries (with the notifications they carry) and the rows they took or dropped. */
export async function applyPlan(db: pg.ClientBase, plan: DeliveryPlan, pending: PendingItem[]): Promise<string[]> {
  const byId = new Map(pending.map((p) => [p.id, p]));
  const created: string[] = [];
  for (const delivery of plan.deliveries) {
    const notifications = delivery.itemIds.map((id) => byId.get(id)!.notification);
    const { rows } = await db.query<{ id: string }>(
      `insert into notification_deliveries (recipient, channel, kind, severity, notifications)
       values ($1, $2, $3, $4, $5) returning id::text`,
      [
        delivery.recipient,
        delivery.channel,
        delivery.kind satisfies NotificationKind,
        delivery.severity,
        JSON.stringify(notifications),
      ],
    );
    const id = rows[0]!.id;
    created.push(id);
    await db.query(
      `update notification_outbox set state = 'queued', delivery_id = $1, decided_at = now()
        where id = any($2::bigint[]) and state = 'pending'`,
      [id, delivery.itemIds],
    );
  }
  for (const reason of new Set(plan.suppressed.map((s) => s.reason))) {
    await db.query(
      `update notification_outbox set state = 'suppressed', suppressed_reason = $1, decided_at = now()
        where id = any($2::bigint[]) and state = 'pending'`,
      [reason, plan.suppressed.filter((s) => s.reason === reason).map((s) => s.id)],
    );
  }
  return created;
}
