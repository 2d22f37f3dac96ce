// The notifier's transports against loopback stand-ins that speak the real
// protocols: Slack's incoming-webhook HTTP API and an SMTP server with
// STARTTLS and AUTH, whose received MIME is parsed and checked.
import assert from 'node:assert/strict';
import type { DeliveryRow, Notification } from '@nightshift/crds/contract';
import { startSlackStandIn, type SlackStandIn } from '../../hack/stand-ins/slack-webhook.ts';
import { startSmtpStandIn, type SmtpStandIn } from '../../hack/stand-ins/smtp.ts';
import { freePort } from '../../hack/test/harness.ts';
import { emailTransport } from '../src/notify/channels/email.ts';
import { slackTransport } from '../src/notify/channels/slack.ts';
import { dashboardLinks } from '../src/notify/render/links.ts';

const links = dashboardLinks('https://nightshift.example.com');
const completed: Notification = {
  kind: 'StoryCompleted',
  story: { namespace: 'team-a', name: 'fix-login', uid: 'u1', title: 'Fix the login redirect' },
  pullRequest: { url: 'https://forge.example.com/acme/web/pull/7', number: 7 },
  confidence: 0.9,
};
const delivery = (id: string, channel: 'slack' | 'email', recipient = 'ana'): DeliveryRow => ({
  id,
  recipient,
  channel,
  kind: 'StoryCompleted',
  severity: 'normal',
  notifications: [completed],
  state: 'sending',
  attempts: 1,
  not_before: new Date(),
  claimed_by: 'test',
  claimed_at: new Date(),
  claim_expires_at: new Date(),
  sent_at: null,
  provider_id: null,
  last_error: null,
  created_at: new Date(),
});

describe('email transport against a real SMTP server', () => {
  let smtp: SmtpStandIn;
  before(async () => (smtp = await startSmtpStandIn()));
  after(async () => smtp?.close());

  it('upgrades with STARTTLS, authenticates, and sends HTML + text with Message-ID, Date and List-Unsubscribe', async () => {
    const transport = emailTransport({
      smtp: { url: smtp.url, from: 'Nightshift <nightshift@example.com>', requireTLS: true, ca: smtp.ca },
      addresses: new Map([['ana', 'ana@example.com']]),
      links,
      timeoutMs: 10_000,
    });
    const { providerId } = await transport.send(delivery('41', 'email'));
    await transport.close();
    const mail = smtp.mails.at(-1)!;
    assert.equal(mail.secure, true, 'STARTTLS before the message');
    assert.equal(mail.user, 'nightshift');
    assert.deepEqual(mail.envelope.to, ['ana@example.com']);
    const { parsed } = mail;
    assert.equal(parsed.subject, 'Story completed: Fix the login redirect (team-a/fix-login)');
    assert.match(parsed.messageId ?? '', /^<delivery-41\.[0-9a-f]{16}@example\.com>$/);
    assert.equal(parsed.messageId, providerId);
    assert.ok(parsed.date instanceof Date && Math.abs(parsed.date.getTime() - Date.now()) < 60_000);
    assert.ok(parsed.text?.includes('https://forge.example.com/acme/web/pull/7'), 'the PR link in the text part');
    assert.ok(parsed.html && parsed.html.includes('href="https://nightshift.example.com/stories/team-a/fix-login"'));
    assert.match(mail.raw, /Content-Type: multipart\/alternative/i);
    // mailparser folds the List-* headers into one 'list' value: read them from the source too.
    const head = mail.raw.split('\r\n\r\n')[0]!.replace(/\r\n\s+/g, ' ');
    assert.match(head, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    assert.match(
      head,
      /^List-Unsubscribe: <https:\/\/nightshift\.example\.com\/notifications\/unsubscribe\?recipient=ana>, <mailto:nightshift@example\.com\?subject=unsubscribe%20ana>$/m,
    );
    const list = parsed.headers.get('list') as { unsubscribe?: { url?: string } } | undefined;
    assert.equal(list?.unsubscribe?.url, 'https://nightshift.example.com/notifications/unsubscribe?recipient=ana');
    assert.equal(parsed.headers.get('auto-submitted'), 'auto-generated');
  });

  it('a wrong password is refused for good; a server that is not there is retried', async () => {
    const wrong = emailTransport({
      smtp: { url: smtp.url.replace('smtp-secret', 'nope'), from: 'n@example.com', requireTLS: true, ca: smtp.ca },
      addresses: new Map([['ana', 'ana@example.com']]),
      links,
      timeoutMs: 10_000,
    });
    const refused = await wrong.send(delivery('42', 'email')).catch((e: unknown) => e);
    assert.equal(wrong.classify(refused, delivery('42', 'email')).outcome, 'rejected');
    const gone = emailTransport({
      smtp: { url: `smtp://127.0.0.1:${await freePort()}`, from: 'n@example.com', requireTLS: false },
      addresses: new Map([['ana', 'ana@example.com']]),
      links,
      timeoutMs: 10_000,
    });
    const unreachable = await gone.send(delivery('43', 'email')).catch((e: unknown) => e);
    assert.equal(gone.classify(unreachable, delivery('43', 'email')).outcome, 'retry');
  });
});

describe('Slack transport against the incoming-webhook stand-in', () => {
  let slack: SlackStandIn;
  before(async () => (slack = await startSlackStandIn()));
  after(async () => slack?.close());
  const transport = (timeoutMs = 5_000) =>
    slackTransport({
      webhookURLs: new Map([['team', slack.webhookURL('team')]]),
      links,
      timeZoneOf: () => 'UTC',
      timeoutMs,
    });

  it('posts a Block Kit message the stand-in accepts, with a button to the pull request', async () => {
    await transport().send(delivery('1', 'slack', 'team'));
    const posted = slack.messages.at(-1)!.payload;
    assert.equal(posted.text, 'Story completed: Fix the login redirect (team-a/fix-login)');
    const buttons = JSON.stringify(posted.blocks);
    assert.ok(buttons.includes('"url":"https://forge.example.com/acme/web/pull/7"'));
  });

  it('429: retried after Slack’s Retry-After', async () => {
    slack.rateLimit({ every: 1, retryAfterSeconds: 7 });
    const t = transport();
    const error = await t.send(delivery('2', 'slack', 'team')).catch((e: unknown) => e);
    slack.rateLimit(undefined);
    assert.deepEqual(t.classify(error, delivery('2', 'slack', 'team')), {
      outcome: 'retry',
      message: 'Slack answered 429: rate_limited',
      retryAfterMs: 7000,
    });
  });

  it('down (503) or not listening: retried; no answer within the timeout: unknown (it may have posted)', async () => {
    const t = transport(500);
    await slack.outage('unavailable');
    const unavailable = await t.send(delivery('3', 'slack', 'team')).catch((e: unknown) => e);
    const down = t.classify(unavailable, delivery('3', 'slack', 'team'));
    assert.equal(down.outcome, 'retry');
    // No Retry-After header is no advice: our own backoff, not "at once, and hold the recipient's others back".
    assert.equal(down.outcome === 'retry' && down.retryAfterMs, undefined);
    await slack.outage('unreachable');
    const refused = await t.send(delivery('4', 'slack', 'team')).catch((e: unknown) => e);
    assert.equal(t.classify(refused, delivery('4', 'slack', 'team')).outcome, 'retry');
    await slack.outage(undefined);
    slack.delayAnswers(2_000);
    const slow = await t.send(delivery('5', 'slack', 'team')).catch((e: unknown) => e);
    slack.delayAnswers(0);
    assert.equal(t.classify(slow, delivery('5', 'slack', 'team')).outcome, 'unknown');
  });
});
