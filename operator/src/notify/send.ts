// Step three: send what is due, each delivery exactly once. Claim a few
// (atomically), then one by one: mark it sending (the last write before the
// provider has it), send, mark it sent; a failure goes back with a backoff,
// is refused for good, or — sent with no answer — becomes uncertain
// (retry.ts). A crash leaves claimed rows (sent again once the claim
// expires) or sending rows (uncertain): never a second copy.
import type pg from 'pg';
import type { Counter } from 'prom-client';
import type { Channel, DeliveryRow } from '@nightshift/crds/contract';
import type { Logger } from '../log.ts';
import type { Transport } from './channels/transport.ts';
import { claimDue, markFailed, markRetry, markSending, markSent, markUncertain, releaseClaims } from './deliveries.ts';
import { afterFailure, type RetryPolicy } from './retry.ts';

export interface SendOptions {
  pool: pg.Pool;
  transports: ReadonlyMap<Channel, Transport>;
  claimer: string;
  claimSeconds: number;
  retry: RetryPolicy;
  /** How many to claim at once. */
  batch: number;
  stopping: () => boolean;
  logger: Logger;
  outcomes?: Counter<'channel' | 'outcome'>;
  now?: () => Date;
}

/** Sends due deliveries until none is left (or stopping); returns how many were sent. */
export async function sendDue(options: SendOptions): Promise<number> {
  let sent = 0;
  for (;;) {
    if (options.stopping()) return sent;
    const claimed = await claimDue(options.pool, options.claimer, options.claimSeconds, options.batch);
    if (claimed.length === 0) return sent;
    sent += await sendClaimed(claimed, options);
  }
}

async function sendClaimed(claimed: DeliveryRow[], options: SendOptions): Promise<number> {
  const { pool, claimer, logger } = options;
  const now = options.now ?? (() => new Date());
  let sent = 0;
  const released = new Set<string>();
  for (const [index, delivery] of claimed.entries()) {
    if (released.has(delivery.id)) continue;
    if (options.stopping()) {
      await releaseClaims(
        pool,
        claimed.slice(index).map((d) => d.id),
        claimer,
      );
      return sent;
    }
    const log = logger.child({
      delivery: delivery.id,
      recipient: delivery.recipient,
      channel: delivery.channel,
      kind: delivery.kind,
    });
    if (!(await markSending(pool, delivery.id, claimer, options.claimSeconds))) continue; // taken over meanwhile
    const transport = options.transports.get(delivery.channel);
    if (!transport) {
      await markFailed(pool, delivery.id, claimer, `the ${delivery.channel} channel is not configured`);
      continue;
    }
    try {
      const { providerId } = await transport.send(delivery);
      await markSent(pool, delivery.id, claimer, providerId);
      options.outcomes?.inc({ channel: delivery.channel, outcome: 'sent' });
      log.info({ items: delivery.notifications.length, attempts: delivery.attempts }, 'notification sent');
      sent++;
    } catch (error) {
      const failure = transport.classify(error, delivery);
      const after = afterFailure(
        failure,
        { attempts: delivery.attempts, createdAt: delivery.created_at },
        {
          policy: options.retry,
          deduplicates: transport.deduplicates,
          now: now(),
        },
      );
      options.outcomes?.inc({
        channel: delivery.channel,
        outcome: after.action === 'retry' ? 'retry' : after.action === 'fail' ? 'failed' : 'uncertain',
      });
      if (after.action === 'retry') {
        await markRetry(pool, delivery.id, claimer, after.notBefore, failure.message);
        log.warn(
          { failure: failure.message, retryAt: after.notBefore.toISOString() },
          'notification not sent; will retry',
        );
        if (failure.outcome === 'retry' && failure.retryAfterMs !== undefined) {
          // Rate-limited: the recipient's other claimed messages wait as long.
          const same = claimed.slice(index + 1).filter((d) => d.recipient === delivery.recipient);
          await releaseClaims(
            pool,
            same.map((d) => d.id),
            claimer,
            after.notBefore,
          );
          for (const d of same) released.add(d.id);
        }
      } else if (after.action === 'fail') {
        await markFailed(pool, delivery.id, claimer, failure.message);
        log.error({ failure: failure.message }, 'notification failed for good');
      } else {
        await markUncertain(pool, delivery.id, claimer, failure.message);
        log.warn({ failure: failure.message }, 'notification outcome unknown; recorded as uncertain, not sent again');
      }
    }
  }
  return sent;
}
