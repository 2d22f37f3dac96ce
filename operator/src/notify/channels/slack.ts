// Slack over incoming webhooks (@slack/webhook), one webhook URL per
// recipient (a channel each). The library's own retries are off: a failed
// send goes back to the outbox with a backoff, or with Slack's Retry-After
// when it answered 429.
import {
  IncomingWebhook,
  IncomingWebhookHTTPError,
  IncomingWebhookRequestError,
  type FetchFunction,
} from '@slack/webhook';
import type { DeliveryRow } from '@nightshift/crds/contract';
import type { DashboardLinks } from '../render/links.ts';
import { slackMessage } from '../render/slack.ts';
import type { SendFailure, Transport } from './transport.ts';

/** Failures that happen before a request reaches Slack: nothing was delivered. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const causeCode = (error: unknown): string | undefined => {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('slack_')) return code;
  }
  return undefined;
};

/** What a failed webhook call means: retry (Slack said not now, or was not reached), rejected, or unknown. */
export function classifySlackFailure(error: unknown, retryAfterSeconds?: number): SendFailure {
  if (error instanceof IncomingWebhookHTTPError) {
    const message = `Slack answered ${error.statusCode}${error.body ? `: ${error.body.slice(0, 200)}` : ''}`;
    if (error.statusCode === 429 || error.statusCode >= 500 || error.statusCode === 408) {
      return {
        outcome: 'retry',
        message,
        retryAfterMs: retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : undefined,
      };
    }
    return { outcome: 'rejected', message };
  }
  const original = error instanceof IncomingWebhookRequestError ? error.original : error;
  const code = causeCode(original);
  const message = `Slack request failed: ${original instanceof Error ? original.message : String(original)}${code ? ` (${code})` : ''}`;
  if (code && NOT_SENT.has(code)) return { outcome: 'retry', message };
  return { outcome: 'unknown', message };
}

export function slackTransport(options: {
  webhookURLs: ReadonlyMap<string, string>;
  links: DashboardLinks;
  timeZoneOf: (recipient: string) => string;
  timeoutMs: number;
}): Transport {
  // Retry-After of the last answer per recipient: the library does not hand headers on with its errors.
  const retryAfter = new Map<string, number>();
  const hooks = new Map<string, IncomingWebhook>();
  const hookFor = (recipient: string) => {
    let hook = hooks.get(recipient);
    if (hook) return hook;
    const url = options.webhookURLs.get(recipient);
    if (!url) throw new Error(`no Slack webhook URL for recipient ${recipient}`);
    const fetchRecordingRetryAfter: FetchFunction = async (input, init) => {
      const response = await fetch(input, init as RequestInit);
      retryAfter.delete(recipient);
      const header = response.headers.get('retry-after');
      // No header is no advice (Number(null) would read as "retry at once, and hold the rest").
      const seconds = header === null || header.trim() === '' ? NaN : Number(header);
      if (Number.isFinite(seconds) && seconds >= 0) retryAfter.set(recipient, seconds);
      return response;
    };
    hook = new IncomingWebhook(url, {
      timeout: options.timeoutMs,
      fetch: fetchRecordingRetryAfter,
      retryConfig: { retries: 0 },
    });
    hooks.set(recipient, hook);
    return hook;
  };
  return {
    channel: 'slack',
    deduplicates: false,
    async send(delivery: DeliveryRow) {
      retryAfter.delete(delivery.recipient);
      await hookFor(delivery.recipient).send(
        slackMessage(delivery, options.links, options.timeZoneOf(delivery.recipient)),
      );
      return {};
    },
    classify: (error, delivery) => classifySlackFailure(error, retryAfter.get(delivery.recipient)),
    close: async () => {},
  };
}
