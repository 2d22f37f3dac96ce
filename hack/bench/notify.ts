// How long the notifier's plan takes for a large outbox, beside a baseline
// measured in the same run: sorting and grouping the same items by recipient
// and kind (the least any plan must do). Prints numbers; asserts nothing.
//   node hack/bench/notify.ts [pending=10000] [recipients=20]
import { severityOf, type Notification } from '@nightshift/crds/contract';
import { planDeliveries, type PendingItem, type RecipientPolicy } from '../../operator/src/notify/plan.ts';

const pendingCount = Number(process.argv[2] ?? 10_000);
const recipientCount = Number(process.argv[3] ?? 20);
const now = new Date();
const recipients: RecipientPolicy[] = Array.from({ length: recipientCount }, (_, i) => ({
  name: `r${i}`,
  channel: i % 2 ? 'email' : 'slack',
  timeZone: 'Europe/Berlin',
  quietHours: { start: '22:00', end: '07:00' },
  batchSeconds: 60,
  repeatSeconds: 3600,
}));
const kinds = ['DecisionNeeded', 'StoryCompleted', 'StoryFailed', 'BudgetExceeded'] as const;
const pending: PendingItem[] = Array.from({ length: pendingCount }, (_, i) => {
  const kind = kinds[i % kinds.length]!;
  const story = { namespace: `ns${i % 7}`, name: `s${i}`, uid: `u${i}`, ...(i % 3 ? { queue: 'nightly' } : {}) };
  const notification: Notification =
    kind === 'DecisionNeeded'
      ? { kind, story, decision: { id: `d${i}`, question: 'q?', options: [] } }
      : kind === 'StoryCompleted'
        ? { kind, story, pullRequest: { url: 'u', number: 1 } }
        : kind === 'StoryFailed'
          ? { kind, story, reason: 'R', message: 'm' }
          : { kind, story, message: 'm' };
  return {
    id: String(i + 1),
    recipient: `r${i % recipientCount}`,
    kind,
    severity: severityOf(kind),
    fingerprint: `${kind}/${i % (pendingCount / 2)}`,
    createdAt: new Date(now.getTime() - (i % 120) * 1000),
    occurredAt: new Date(now.getTime() - (i % 120) * 1000),
    notification,
    resolved: i % 50 === 0,
  };
});
const delivered = Array.from({ length: pendingCount / 10 }, (_, i) => ({
  recipient: `r${i % recipientCount}`,
  fingerprint: `StoryFailed/${i}`,
  decidedAt: new Date(now.getTime() - 60_000),
}));
const queues = Array.from({ length: 50 }, (_, i) => ({
  namespace: `ns${i % 7}`,
  name: i === 0 ? 'nightly' : `q${i}`,
  blackouts: [
    { start: new Date(now.getTime() - 3_600_000), end: new Date(now.getTime() + 3_600_000), reason: 'freeze' },
  ],
}));

const time = (what: string, runs: number, f: () => unknown) => {
  f();
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) f();
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / runs;
  console.log(`${what.padEnd(58)} ${ms.toFixed(2).padStart(9)} ms/run`);
  return ms;
};
console.log(
  `notify plan: ${pendingCount} pending notifications, ${recipientCount} recipients, ${queues.length} queues`,
);
const baseline = time('baseline: sort + group by recipient and kind', 20, () => {
  const sorted = [...pending].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const groups = Map.groupBy(sorted, (p) => `${p.recipient}/${p.kind}`);
  return groups.size;
});
let plan = planDeliveries({ now, recipients, pending, delivered, queues });
const planned = time('planDeliveries (repeats, do-not-disturb, batching)', 20, () => {
  plan = planDeliveries({ now, recipients, pending, delivered, queues });
});
console.log(
  `result: ${plan.deliveries.length} deliveries, ${plan.suppressed.length} suppressed, ${plan.held.length} held; ` +
    `${(planned / baseline).toFixed(1)}× the baseline`,
);
