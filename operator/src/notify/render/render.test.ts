import assert from 'node:assert/strict';
import type { Notification, NotificationKind } from '@nightshift/crds/contract';
import { blockKitProblems } from '../../../../hack/stand-ins/slack-webhook.ts';
import { emailMessage } from './email.ts';
import { dashboardLinks } from './links.ts';
import { slackMessage } from './slack.ts';

const links = dashboardLinks('https://nightshift.example.com/');
const story = { namespace: 'team-a', name: 'fix-login', uid: 'u1', title: 'Fix the <login> redirect & more' };
const summary = {
  start: '2026-11-24T17:00:00.000Z',
  end: '2026-11-25T17:00:00.000Z',
  timeZone: 'Europe/Berlin',
  completed: [
    {
      namespace: 'team-a',
      name: 'fix-login',
      title: 'Fix login',
      at: '2026-11-25T03:00:00.000Z',
      pullRequestURL: 'https://forge/pull/7',
    },
  ],
  failed: [{ namespace: 'team-a', name: 'broken', at: '2026-11-25T04:00:00.000Z', reason: 'VerificationFailed' }],
  waiting: [
    { id: 'q1', namespace: 'team-a', name: 'ask', question: 'Which way?', askedAt: '2026-11-25T05:00:00.000Z' },
  ],
  started: 4,
  spentUSD: 3.5,
};
const examples: Notification[] = [
  {
    kind: 'StoryCompleted',
    story,
    pullRequest: { url: 'https://forge/pull/7', number: 7 },
    confidence: 0.91,
    costUSD: 1.25,
  },
  { kind: 'StoryFailed', story, reason: 'VerificationFailed', message: 'npm test failed' },
  {
    kind: 'DecisionNeeded',
    story,
    decision: {
      id: 'fix-login-q1',
      question: 'Keep the old redirect?',
      options: ['keep', 'drop'],
      recommendation: 'drop',
    },
  },
  {
    kind: 'BudgetThreshold',
    budget: { namespace: 'team-a', name: 'team-budget' },
    scope: 'daily',
    periodStart: '2026-11-24T23:00:00.000Z',
    spentUSD: 8.2,
    limitUSD: 10,
    message: '82% of the daily limit',
  },
  { kind: 'BudgetExceeded', story, message: 'the cost cap would be exceeded', maxCostUSD: 5 },
  {
    kind: 'RepeatedFailures',
    queue: { namespace: 'team-a', name: 'nightly' },
    failures: [{ name: 'a', reason: 'VerificationFailed' }],
    message: '3 stories failed within 60 minutes',
  },
  { kind: 'StoryStuck', story, reason: 'CreateContainerConfigError', message: 'secret "x" not found' },
  { kind: 'DailySummary', summary },
  {
    kind: 'WeeklyReport',
    summary: { ...summary, perDay: [{ date: '2026-11-25', completed: 1, failed: 1, spentUSD: 3.5 }] },
  },
];

describe('slackMessage', () => {
  for (const n of examples) {
    it(`${n.kind}: a payload Slack accepts (checked by the stand-in's Block Kit rules)`, () => {
      const message = slackMessage({ kind: n.kind, notifications: [n] }, links, 'Europe/Berlin');
      assert.deepEqual(blockKitProblems(message), []);
      assert.ok(message.text.length > 0);
    });
  }

  it('a full batch of decisions: one message listing each question with its own Answer button', () => {
    const decisions: Notification[] = Array.from({ length: 25 }, (_, i) => ({
      kind: 'DecisionNeeded',
      story: { ...story, name: `s${i}` },
      decision: { id: `d${i}`, question: `Question ${i}?`, options: ['a', 'b'] },
    }));
    const message = slackMessage({ kind: 'DecisionNeeded', notifications: decisions }, links, 'UTC');
    assert.deepEqual(blockKitProblems(message), []);
    assert.equal(message.text, '25 decisions needed');
    const answers = message.blocks.flatMap((b) => (b.type === 'section' && b.accessory ? [b.accessory.url] : []));
    assert.deepEqual(
      answers,
      decisions.map((_, i) => `https://nightshift.example.com/decisions/d${i}`),
    );
  });

  it('escapes what Slack would read as markup', () => {
    const message = slackMessage({ kind: 'StoryFailed', notifications: [examples[1]!] }, links, 'UTC');
    const section = message.blocks.find((b) => b.type === 'section');
    assert.ok(section?.type === 'section' && section.text.text.includes('Fix the &lt;login&gt; redirect &amp; more'));
  });
});

describe('emailMessage', () => {
  for (const n of examples) {
    it(`${n.kind}: subject, HTML and text with the dashboard links`, () => {
      const email = emailMessage({ kind: n.kind as NotificationKind, notifications: [n] }, links, 'ana');
      assert.ok(email.subject.length > 0);
      assert.match(email.html, /^<!doctype html>/);
      assert.ok(email.text.includes('https://nightshift.example.com/'), 'links in the text part too');
      assert.ok(email.html.includes('https://nightshift.example.com/notifications/unsubscribe?recipient=ana'));
      assert.ok(!email.html.includes('<login>'), 'values are escaped in HTML');
    });
  }

  it('the daily summary in the recipient’s time zone: local date in the subject, local times in the body', () => {
    const email = emailMessage({ kind: 'DailySummary', notifications: [examples[7]!] }, links, 'ana');
    assert.equal(email.subject, 'Nightshift daily summary: Wednesday 25 November 2026');
    assert.ok(email.text.includes('Tue 24 Nov, 18:00 GMT+1 to Wed 25 Nov, 18:00 GMT+1'), email.text);
    assert.ok(email.text.includes('1 completed, 1 failed, 1 waiting for you, 4 started, $3.50 spent'));
    assert.ok(email.html.includes('href="https://forge/pull/7"'));
    assert.ok(email.html.includes('href="https://nightshift.example.com/decisions/q1"'));
  });
});
