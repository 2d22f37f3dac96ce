import assert from 'node:assert/strict';
import { severityOf, type Notification, type StoryRef } from '@nightshift/crds/contract';
import {
  planDeliveries,
  type PendingItem,
  type PlanSnapshot,
  type QueueSchedule,
  type RecipientPolicy,
} from './plan.ts';

const NOW = new Date('2026-11-25T12:00:00Z'); // 13:00 in Berlin
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);
const story = (name: string, queue?: string): StoryRef => ({
  namespace: 'team-a',
  name,
  uid: `uid-${name}`,
  ...(queue ? { queue } : {}),
});

let nextId = 1;
const item = (
  notification: Notification,
  fingerprint: string,
  createdSecondsAgo = 0,
  extra: Partial<PendingItem> = {},
) => {
  const id = String(nextId++);
  return {
    id,
    recipient: 'ana',
    kind: notification.kind,
    severity: severityOf(notification.kind),
    fingerprint,
    createdAt: ago(createdSecondsAgo),
    occurredAt: ago(createdSecondsAgo),
    notification,
    resolved: false,
    ...extra,
  } satisfies PendingItem;
};
const decision = (n: number, secondsAgo: number) =>
  item(
    {
      kind: 'DecisionNeeded',
      story: story(`s${n}`),
      decision: { id: `d${n}`, question: `Which way, ${n}?`, options: ['a', 'b'] },
    },
    `DecisionNeeded/d${n}`,
    secondsAgo,
  );
const threshold = (periodStart: string, secondsAgo = 0) =>
  item(
    {
      kind: 'BudgetThreshold',
      budget: { namespace: 'team-a', name: 'team-budget' },
      scope: 'daily',
      periodStart,
      spentUSD: 8.2,
      limitUSD: 10,
      message: '82% of the daily limit',
    },
    `BudgetThreshold/team-a/team-budget/daily/${periodStart}`,
    secondsAgo,
  );
const completed = (name: string, queue?: string) =>
  item(
    { kind: 'StoryCompleted', story: story(name, queue), pullRequest: { url: `https://forge/pr/${name}`, number: 1 } },
    `StoryCompleted/uid-${name}`,
  );
const storyCapExceeded = (name: string, queue?: string) =>
  item(
    { kind: 'BudgetExceeded', story: story(name, queue), message: 'cap reached' },
    `BudgetExceeded/story/uid-${name}`,
  );

const ana: RecipientPolicy = {
  name: 'ana',
  channel: 'slack',
  timeZone: 'Europe/Berlin',
  batchSeconds: 60,
  repeatSeconds: 3600,
};
const nightly: QueueSchedule = {
  namespace: 'team-a',
  name: 'nightly',
  budgetRef: 'team-budget',
  blackouts: [{ start: ago(3600), end: new Date('2026-11-25T18:00:00Z'), reason: 'release freeze' }],
};

interface Case {
  name: string;
  pending: PendingItem[];
  recipient?: Partial<RecipientPolicy>;
  delivered?: PlanSnapshot['delivered'];
  queues?: QueueSchedule[];
  /** Each delivery as "kind:count". */
  deliveries: string[];
  suppressed?: string[];
  held?: number;
  wakeAt?: string;
}

const burst = Array.from({ length: 20 }, (_, i) => decision(i, 61 - i * 0.1));
const cases: Case[] = [
  {
    name: 'a burst of 20 decisions whose window has closed: one message with all of them',
    pending: burst,
    deliveries: ['DecisionNeeded:20'],
  },
  {
    name: 'decisions while the window is open: held until it closes',
    pending: [decision(1, 30), decision(2, 5)],
    deliveries: [],
    held: 2,
    wakeAt: ago(-30).toISOString(),
  },
  {
    name: 'a batch window of 0 sends each decision at once (together if ready together)',
    pending: [decision(1, 0), decision(2, 0)],
    recipient: { batchSeconds: 0 },
    deliveries: ['DecisionNeeded:2'],
  },
  {
    name: 'more decisions than a message holds: split into messages of 25',
    pending: Array.from({ length: 30 }, (_, i) => decision(100 + i, 120)),
    deliveries: ['DecisionNeeded:25', 'DecisionNeeded:5'],
  },
  {
    name: 'a decision answered before it was sent is dropped',
    pending: [{ ...decision(1, 120), resolved: true }],
    deliveries: [],
    suppressed: ['Answered'],
  },
  {
    name: 'the 80 % alert of a period already sent is not repeated',
    pending: [threshold('2026-11-24T23:00:00.000Z')],
    delivered: [
      {
        recipient: 'ana',
        fingerprint: 'BudgetThreshold/team-a/team-budget/daily/2026-11-24T23:00:00.000Z',
        decidedAt: ago(600),
      },
    ],
    deliveries: [],
    suppressed: ['Repeat'],
  },
  {
    name: 'the 80 % alert of the next period goes out',
    pending: [threshold('2026-11-25T23:00:00.000Z')],
    delivered: [
      {
        recipient: 'ana',
        fingerprint: 'BudgetThreshold/team-a/team-budget/daily/2026-11-24T23:00:00.000Z',
        decidedAt: ago(600),
      },
    ],
    deliveries: ['BudgetThreshold:1'],
  },
  {
    name: 'two identical alerts pending at once: one goes',
    pending: [threshold('2026-11-24T23:00:00.000Z'), threshold('2026-11-24T23:00:00.000Z')],
    deliveries: ['BudgetThreshold:1'],
    suppressed: ['Repeat'],
  },
  {
    name: 'an identical alert after the repeat period goes again',
    pending: [storyCapExceeded('a')],
    delivered: [{ recipient: 'ana', fingerprint: 'BudgetExceeded/story/uid-a', decidedAt: ago(3601) }],
    deliveries: ['BudgetExceeded:1'],
  },
  {
    name: 'quiet hours hold a completed story until they end, not a critical alert',
    pending: [completed('a'), storyCapExceeded('b')],
    recipient: { quietHours: { start: '12:30', end: '14:00' } },
    deliveries: ['BudgetExceeded:1'],
    held: 1,
    wakeAt: '2026-11-25T13:00:00.000Z',
  },
  {
    name: 'the blackout of the story’s queue holds it; a story outside the queue goes',
    pending: [completed('in-queue', 'nightly'), completed('no-queue')],
    queues: [nightly],
    deliveries: ['StoryCompleted:1'],
    held: 1,
    wakeAt: '2026-11-25T18:00:00.000Z',
  },
  {
    name: 'the blackout of a queue drawing on the budget holds its 80 % alert',
    pending: [threshold('2026-11-24T23:00:00.000Z')],
    queues: [nightly],
    deliveries: [],
    held: 1,
  },
  {
    name: 'completions ready together share one message; summaries go on their own',
    pending: [
      completed('a'),
      completed('b'),
      ...['2026-11-24', '2026-11-25'].map((label) =>
        item(
          {
            kind: 'DailySummary',
            summary: {
              start: ago(86400).toISOString(),
              end: NOW.toISOString(),
              timeZone: 'Europe/Berlin',
              completed: [],
              failed: [],
              waiting: [],
              started: 0,
              spentUSD: 0,
            },
          },
          `DailySummary/${label}`,
        ),
      ),
    ],
    deliveries: ['StoryCompleted:2', 'DailySummary:1', 'DailySummary:1'],
  },
  {
    name: 'a recipient no longer configured: dropped',
    pending: [{ ...completed('a'), recipient: 'gone' }],
    deliveries: [],
    suppressed: ['NoRecipient'],
  },
];

describe('planDeliveries', () => {
  for (const c of cases) {
    it(c.name, () => {
      const plan = planDeliveries({
        now: NOW,
        recipients: [{ ...ana, ...c.recipient }],
        pending: c.pending,
        delivered: c.delivered ?? [],
        queues: c.queues ?? [],
      });
      assert.deepEqual(
        plan.deliveries.map((d) => `${d.kind}:${d.itemIds.length}`),
        c.deliveries,
      );
      assert.deepEqual(
        plan.suppressed.map((s) => s.reason),
        c.suppressed ?? [],
      );
      assert.equal(plan.held.length, c.held ?? 0);
      if (c.wakeAt) assert.equal(plan.wakeAt?.toISOString(), c.wakeAt);
      const placed = [
        ...plan.deliveries.flatMap((d) => d.itemIds),
        ...plan.suppressed.map((s) => s.id),
        ...plan.held.map((h) => h.id),
      ];
      assert.deepEqual(placed.sort(), c.pending.map((p) => p.id).sort(), 'every pending item is decided once');
    });
  }

  it('a delivery with a critical item is critical, and keeps the items in the order they happened', () => {
    const plan = planDeliveries({
      now: NOW,
      recipients: [ana],
      pending: [storyCapExceeded('late'), { ...storyCapExceeded('early'), occurredAt: ago(100) }],
      delivered: [],
      queues: [],
    });
    assert.equal(plan.deliveries[0]?.severity, 'critical');
    const ids = plan.deliveries[0]!.itemIds;
    assert.equal(Number(ids[0]) > Number(ids[1]), true, 'the earlier event first');
  });
});
