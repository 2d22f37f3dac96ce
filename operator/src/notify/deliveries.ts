// notification_deliveries: each message's way to being sent exactly once.
// A sender claims due deliveries atomically (FOR UPDATE SKIP LOCKED), marks
// one "sending" just before it hands it to the provider, and "sent" once the
// provider accepted it. Every write names the claimer and the state it
// expects, so a sender whose claim was taken over changes nothing.
import type pg from 'pg';
import {
  DELIVERY_COLUMNS,
  notificationDeliveries,
  type Channel,
  type DeliveryRow,
  type DeliveryState,
} from '@nightshift/crds/contract';

export type { DeliveryRow } from '@nightshift/crds/contract';

/** Claims up to limit due deliveries (critical first, then oldest). */
export async function claimDue(
  db: pg.Pool,
  claimer: string,
  claimSeconds: number,
  limit: number,
): Promise<DeliveryRow[]> {
  const { rows } = await db.query(
    `update notification_deliveries
        set state = 'claimed', claimed_by = $1, claimed_at = now(),
            claim_expires_at = now() + make_interval(secs => $2), attempts = attempts + 1
      where id in (select id from notification_deliveries
                    where state = 'pending' and not_before <= now()
                    order by severity = 'critical' desc, id limit $3
                    for update skip locked)
      returning ${DELIVERY_COLUMNS}`,
    [claimer, claimSeconds, limit],
  );
  return notificationDeliveries.parseAll(rows).sort((a, b) => Number(a.id) - Number(b.id));
}

const transition = async (
  db: pg.Pool,
  id: string,
  claimer: string,
  from: DeliveryState,
  set: string,
  values: unknown[] = [],
): Promise<boolean> => {
  const { rowCount } = await db.query(
    `update notification_deliveries set ${set} where id = $1 and claimed_by = $2 and state = '${from}'`,
    [id, claimer, ...values],
  );
  return rowCount === 1;
};

/** The last write before the provider is called: false when the claim is no longer ours. */
export const markSending = (db: pg.Pool, id: string, claimer: string, claimSeconds: number) =>
  transition(db, id, claimer, 'claimed', `state = 'sending', claim_expires_at = now() + make_interval(secs => $3)`, [
    claimSeconds,
  ]);

export const markSent = (db: pg.Pool, id: string, claimer: string, providerId: string | undefined) =>
  transition(db, id, claimer, 'sending', `state = 'sent', sent_at = now(), provider_id = $3, last_error = null`, [
    providerId ?? null,
  ]);

/** The provider said no for now: try again from notBefore. */
export const markRetry = (db: pg.Pool, id: string, claimer: string, notBefore: Date, error: string) =>
  transition(
    db,
    id,
    claimer,
    'sending',
    `state = 'pending', not_before = $3, last_error = $4, claimed_by = null, claim_expires_at = null`,
    [notBefore, error],
  );

/** The provider refused it for good, or it kept failing past the give-up time. */
export const markFailed = (db: pg.Pool, id: string, claimer: string, error: string) =>
  transition(db, id, claimer, 'sending', `state = 'failed', last_error = $3`, [error]);

/** Handed to a provider that does not de-duplicate, with no answer: never sent again. */
export const markUncertain = (db: pg.Pool, id: string, claimer: string, error: string) =>
  transition(db, id, claimer, 'sending', `state = 'uncertain', last_error = $3`, [error]);

/** Gives back claims not yet handed to the provider (on stop, or behind a rate limit). */
export async function releaseClaims(db: pg.Pool, ids: string[], claimer: string, notBefore?: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `update notification_deliveries
        set state = 'pending', claimed_by = null, claim_expires_at = null, attempts = greatest(attempts - 1, 0),
            not_before = coalesce($3, not_before)
      where id = any($1::bigint[]) and claimed_by = $2 and state = 'claimed'`,
    [ids, claimer, notBefore ?? null],
  );
}

/**
 * Takes over the claims of senders that went silent (killed, or the leader
 * changed): a claim never handed to the provider is sent again; one that was
 * is uncertain unless its channel's provider de-duplicates.
 */
export async function recoverExpiredClaims(
  db: pg.Pool,
  deduplicating: Channel[],
): Promise<{ released: number; uncertain: number }> {
  const { rows } = await db.query<{ state: DeliveryState }>(
    `update notification_deliveries
        set state = case when state = 'claimed' or channel = any($1) then 'pending' else 'uncertain' end,
            last_error = case when state = 'claimed' or channel = any($1) then last_error
                              else 'the sender stopped while the provider had it; not sent again' end,
            claimed_by = null, claim_expires_at = null
      where state in ('claimed', 'sending') and claim_expires_at < now()
      returning state`,
    [deduplicating],
  );
  return {
    released: rows.filter((r) => r.state === 'pending').length,
    uncertain: rows.filter((r) => r.state === 'uncertain').length,
  };
}

export async function deliveryCounts(db: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await db.query<{ state: string; n: number }>(
    'select state, count(*)::int as n from notification_deliveries group by state',
  );
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}
