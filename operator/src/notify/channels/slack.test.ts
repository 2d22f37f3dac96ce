// The Slack transport against the webhook stand-in on loopback: what each
// answer means for the outbox (retry, with or without Slack's Retry-After).
import assert from 'node:assert/strict';
import { deliveryRowSchema } from '@nightshift/crds/contract';
import { startSlackStandIn, type SlackStandIn } from '../../../../hack/stand-ins/slack-webhook.ts';
import { dashboardLinks } from '../render/links.ts';
import { slackTransport } from './slack.ts';
import type { Transport } from './transport.ts';

const delivery = deliveryRowSchema.parse({
  id: '1',
  recipient: 'team',
  channel: 'slack',
  kind: 'StoryCompleted',
  severity: 'normal',
  notifications: [
    {
      kind: 'StoryCompleted',
      story: { namespace: 'team-a', name: 'fix-login', uid: 'u1', title: 'Fix login' },
      pullRequest: { url: 'https://forge.test/pull/7', number: 7 },
      confidence: 0.9,
      costUSD: 1.25,
    },
  ],
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

describe('notify: the Slack transport', () => {
  let slack: SlackStandIn;
  let transport: Transport;
  before(async () => {
    slack = await startSlackStandIn();
    transport = slackTransport({
      webhookURLs: new Map([['team', slack.webhookURL('nightshift')]]),
      links: dashboardLinks('https://nightshift.example.com/'),
      timeZoneOf: () => 'UTC',
      timeoutMs: 5000,
    });
  });
  after(async () => slack.close());
  afterEach(async () => {
    slack.rateLimit(undefined);
    await slack.outage(undefined);
  });

  const failureOf = async () => {
    const error = await transport.send(delivery).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error, 'the send failed');
    return transport.classify(error, delivery);
  };

  it('posts the message', async () => {
    await transport.send(delivery);
    assert.equal(slack.messages.at(-1)?.payload.text.includes('fix-login'), true);
  });

  it('503 without Retry-After: retry on our own backoff, not "at once"', async () => {
    await slack.outage('unavailable');
    const failure = await failureOf();
    assert.equal(failure.outcome, 'retry');
    assert.equal(failure.outcome === 'retry' && failure.retryAfterMs, undefined);
  });

  it('429 with Retry-After: retry after what Slack said', async () => {
    slack.rateLimit({ every: 1, retryAfterSeconds: 7 });
    const failure = await failureOf();
    assert.equal(failure.outcome, 'retry');
    assert.equal(failure.outcome === 'retry' && failure.retryAfterMs, 7000);
  });

  it('connection refused: retry (nothing reached Slack)', async () => {
    await slack.outage('unreachable');
    const failure = await failureOf();
    assert.equal(failure.outcome, 'retry');
  });
});
