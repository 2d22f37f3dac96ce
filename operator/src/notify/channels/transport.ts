// A channel's way out: send one delivery, and say what a failure means for
// it. Exactly-once hinges on that answer: a message the provider did not take
// is sent again later; one it may have taken (no answer) is sent again only
// when the provider de-duplicates, which neither Slack incoming webhooks nor
// SMTP do.
import type { Channel, DeliveryRow } from '@nightshift/crds/contract';

export type SendFailure =
  /** Not delivered: the provider said "not now" (429, 5xx, 4xx SMTP reply) or was never reached. */
  | { outcome: 'retry'; message: string; retryAfterMs?: number | undefined }
  /** Not delivered, and never will be: the provider refused it (a bad payload, a rejected address). */
  | { outcome: 'rejected'; message: string }
  /** Handed to the provider with no answer: it may have been delivered. */
  | { outcome: 'unknown'; message: string };

export interface Transport {
  channel: Channel;
  /** true when the provider drops a repeat of a message it accepted, so an unknown outcome may be retried. */
  deduplicates: boolean;
  /** Resolves once the provider accepted it, with its id for the message when it gives one. */
  send(delivery: DeliveryRow): Promise<{ providerId?: string }>;
  classify(error: unknown, delivery: DeliveryRow): SendFailure;
  close(): Promise<void>;
}
