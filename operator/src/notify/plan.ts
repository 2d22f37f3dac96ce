// What to send now: the pending notifications of every recipient in, the
// messages to make (batched), the notifications to drop (repeats, questions
// already answered) and the ones to hold (do-not-disturb, a batch window
// still open) out, with the time to look again. Pure: the notifier loads the
// snapshot (outbox.ts) and applies the plan in one transaction.
import {
  subjectOf,
  type Channel,
  type Notification,
  type NotificationKind,
  type Severity,
} from '@nightshift/crds/contract';
import { batchDueAt, messagesOf } from './batch.ts';
import { quietUntil, type QuietHours, type QuietWindow } from './quiet.ts';
import { latestByFingerprint, repeatOf, type Delivered } from './repeat.ts';

export interface PendingItem {
  id: string;
  recipient: string;
  kind: NotificationKind;
  severity: Severity;
  fingerprint: string;
  createdAt: Date;
  occurredAt: Date;
  notification: Notification;
  /** A decision answered since it was asked: nothing is left to ask. */
  resolved: boolean;
}

export interface RecipientPolicy {
  name: string;
  channel: Channel;
  timeZone: string;
  quietHours?: QuietHours | undefined;
  batchSeconds: number;
  repeatSeconds: number;
}

/** A WorkQueue's blackouts, and the Budget it draws on. */
export interface QueueSchedule {
  namespace: string;
  name: string;
  budgetRef?: string | undefined;
  blackouts: QuietWindow[];
}

export interface PlanSnapshot {
  now: Date;
  recipients: RecipientPolicy[];
  pending: PendingItem[];
  /** What each recipient was already sent (queued) within their repeat period. */
  delivered: (Delivered & { recipient: string })[];
  queues: QueueSchedule[];
}

export interface PlannedDelivery {
  recipient: string;
  channel: Channel;
  kind: NotificationKind;
  severity: Severity;
  itemIds: string[];
}

export type SuppressReason = 'Answered' | 'Repeat' | 'NoRecipient';

export interface DeliveryPlan {
  deliveries: PlannedDelivery[];
  suppressed: { id: string; reason: SuppressReason }[];
  held: { id: string; until: Date; reason: string }[];
  /** The earliest time a held item becomes ready; undefined when nothing waits. */
  wakeAt?: Date;
}

/** The blackouts that hold a notification: its story's queue, or the queues drawing on its budget. */
export function blackoutsFor(notification: Notification, queues: QueueSchedule[]): QuietWindow[] {
  const { story, budget } = subjectOf(notification);
  if (story?.queue) {
    return queues.find((q) => q.namespace === story.namespace && q.name === story.queue)?.blackouts ?? [];
  }
  if (budget) {
    return queues
      .filter((q) => q.namespace === budget.namespace && q.budgetRef === budget.name)
      .flatMap((q) => q.blackouts);
  }
  return [];
}

export function planDeliveries(snapshot: PlanSnapshot): DeliveryPlan {
  const { now } = snapshot;
  const plan: DeliveryPlan = { deliveries: [], suppressed: [], held: [] };
  const wake = (at: Date) => {
    if (!plan.wakeAt || at < plan.wakeAt) plan.wakeAt = at;
  };
  const policies = new Map(snapshot.recipients.map((r) => [r.name, r]));
  const byRecipient = Map.groupBy(
    [...snapshot.pending].sort(
      (a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || Number(a.id) - Number(b.id),
    ),
    (item) => item.recipient,
  );

  for (const [name, items] of byRecipient) {
    const policy = policies.get(name);
    if (!policy) {
      for (const item of items) plan.suppressed.push({ id: item.id, reason: 'NoRecipient' });
      continue;
    }
    const delivered = latestByFingerprint(snapshot.delivered.filter((d) => d.recipient === name));
    // Do-not-disturb depends on the recipient and the windows only: decided once per set of windows.
    const quietCache = new Map<string, ReturnType<typeof quietUntil>>();
    const quietFor = (windows: QuietWindow[]) => {
      const key = windows.map((w) => `${w.start.getTime()}-${w.end.getTime()}`).join(',');
      if (!quietCache.has(key)) {
        quietCache.set(
          key,
          quietUntil(now, windows, policy.quietHours && { hours: policy.quietHours, timeZone: policy.timeZone }),
        );
      }
      return quietCache.get(key);
    };
    const seen = new Set<string>();
    const ready: PendingItem[] = [];
    for (const item of items) {
      if (item.resolved) {
        plan.suppressed.push({ id: item.id, reason: 'Answered' });
        continue;
      }
      if (seen.has(item.fingerprint) || repeatOf(item, delivered, policy.repeatSeconds, now)) {
        plan.suppressed.push({ id: item.id, reason: 'Repeat' });
        continue;
      }
      seen.add(item.fingerprint);
      const quiet =
        item.severity === 'critical' ? undefined : quietFor(blackoutsFor(item.notification, snapshot.queues));
      if (quiet) {
        plan.held.push({ id: item.id, until: quiet.until, reason: quiet.reason });
        wake(quiet.until);
        continue;
      }
      ready.push(item);
    }

    for (const [kind, group] of Map.groupBy(ready, (item) => item.kind)) {
      const dueAt = batchDueAt(kind, group, policy.batchSeconds, now);
      if (dueAt > now) {
        for (const item of group) plan.held.push({ id: item.id, until: dueAt, reason: 'batch window' });
        wake(dueAt);
        continue;
      }
      for (const message of messagesOf(kind, group)) {
        plan.deliveries.push({
          recipient: name,
          channel: policy.channel,
          kind,
          severity: message.some((i) => i.severity === 'critical') ? 'critical' : 'normal',
          itemIds: message.map((i) => i.id),
        });
      }
    }
  }
  return plan;
}
