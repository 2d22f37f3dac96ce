// Email over SMTP (nodemailer): STARTTLS whenever the server offers it (or
// always, with requireTLS), AUTH with the Secret's credentials, HTML and
// plain-text alternatives, a Message-ID derived from the delivery, Date, and
// List-Unsubscribe with its one-click POST form (RFC 8058), so mail
// providers treat it as the bulk mail it is rather than as spam.
import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { DeliveryRow } from '@nightshift/crds/contract';
import type { DashboardLinks } from '../render/links.ts';
import { emailMessage } from '../render/email.ts';
import type { SendFailure, Transport } from './transport.ts';

export interface SmtpSettings {
  /** smtp://host:587 (STARTTLS when offered) or smtps://host:465 (TLS from the start). */
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  from: string;
  requireTLS: boolean;
  /** PEM certificates to trust besides the system's (a private relay's CA). */
  ca?: string | undefined;
}

/** Failures before the server could have the message: nothing was delivered. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const NOT_SENT_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

/** What a failed SMTP send means: the server's reply decides; without one, only a failure to connect is safe to retry. */
export function classifySmtpFailure(error: unknown): SendFailure {
  const e = (error ?? {}) as {
    message?: string;
    code?: string;
    responseCode?: number;
    originalCode?: string;
    timeoutType?: string;
    response?: string;
  };
  const message = `SMTP: ${e.response ?? e.message ?? String(error)}${e.code ? ` (${e.code})` : ''}`;
  if (typeof e.responseCode === 'number') {
    if (e.responseCode === 421 || (e.responseCode >= 400 && e.responseCode < 500) || e.responseCode === 503) {
      return { outcome: 'retry', message };
    }
    return { outcome: 'rejected', message };
  }
  if (e.code === 'EAUTH' || e.code === 'EENVELOPE') return { outcome: 'rejected', message };
  if (e.code === 'EDNS' || e.code === 'ETLS') return { outcome: 'retry', message };
  if (e.originalCode && NOT_SENT.has(e.originalCode)) return { outcome: 'retry', message };
  if (e.code && NOT_SENT.has(e.code)) return { outcome: 'retry', message };
  if (e.code === 'ETIMEDOUT' && e.timeoutType && NOT_SENT_TIMEOUTS.has(e.timeoutType))
    return { outcome: 'retry', message };
  return { outcome: 'unknown', message };
}

/** <delivery-42.3f9c…@example.com>: one per delivery, the same however often it is rendered. */
export function messageIdFor(deliveryId: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'nightshift.local';
  const hash = createHash('sha256').update(`nightshift-delivery:${deliveryId}`).digest('hex').slice(0, 16);
  return `<delivery-${deliveryId}.${hash}@${domain}>`;
}

export function emailTransport(options: {
  smtp: SmtpSettings;
  addresses: ReadonlyMap<string, string>;
  links: DashboardLinks;
  unsubscribeURL?: string | undefined;
  timeoutMs: number;
}): Transport {
  const { smtp } = options;
  const url = new URL(smtp.url);
  const secure = url.protocol === 'smtps:';
  const transporter = createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: smtp.requireTLS,
    auth:
      (smtp.username ?? url.username)
        ? {
            user: smtp.username ?? decodeURIComponent(url.username),
            pass: smtp.password ?? decodeURIComponent(url.password),
          }
        : undefined,
    tls: smtp.ca ? { ca: smtp.ca } : undefined,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const mailbox = /<([^>]+)>/.exec(smtp.from)?.[1] ?? smtp.from;
  return {
    channel: 'email',
    deduplicates: false,
    async send(delivery: DeliveryRow) {
      const to = options.addresses.get(delivery.recipient);
      if (!to) throw new Error(`no email address for recipient ${delivery.recipient}`);
      const content = emailMessage(delivery, options.links, delivery.recipient);
      const unsubscribe = options.unsubscribeURL
        ? `${options.unsubscribeURL}${options.unsubscribeURL.includes('?') ? '&' : '?'}recipient=${encodeURIComponent(delivery.recipient)}`
        : options.links.unsubscribe(delivery.recipient);
      const messageId = messageIdFor(delivery.id, smtp.from);
      const info = await transporter.sendMail({
        from: smtp.from,
        to,
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId,
        date: new Date(),
        headers: {
          'List-Unsubscribe': `<${unsubscribe}>, <mailto:${mailbox}?subject=unsubscribe%20${encodeURIComponent(delivery.recipient)}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'Auto-Submitted': 'auto-generated',
          'X-Nightshift-Delivery': delivery.id,
          'X-Nightshift-Kind': delivery.kind,
        },
      });
      return { providerId: info.messageId || messageId };
    },
    classify: (error) => classifySmtpFailure(error),
    close: async () => transporter.close(),
  };
}
