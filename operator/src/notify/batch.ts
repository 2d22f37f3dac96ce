// Batching: decisions asked within a recipient's batch window of the first
// one go out as one message (a burst of questions is one ping, not twenty);
// everything else that is ready at the same moment and of the same kind
// shares a message too. A message carries at most MAX_PER_MESSAGE items
// (Slack allows 50 blocks).
import type { NotificationKind } from '@nightshift/crds/contract';

/** Kinds that wait for their batch window before going out. */
export const BATCHED_KINDS: ReadonlySet<NotificationKind> = new Set(['DecisionNeeded']);

/** Kinds that always go out on their own. */
export const SOLO_KINDS: ReadonlySet<NotificationKind> = new Set(['DailySummary', 'WeeklyReport']);

export const MAX_PER_MESSAGE = 25;

/** When a group of ready items of one kind may go out: now, or when the window opened by its first item closes. */
export function batchDueAt(
  kind: NotificationKind,
  items: { createdAt: Date }[],
  batchSeconds: number,
  now: Date,
): Date {
  if (!BATCHED_KINDS.has(kind) || items.length === 0) return now;
  const first = Math.min(...items.map((i) => i.createdAt.getTime()));
  return new Date(Math.max(now.getTime(), first + batchSeconds * 1000));
}

/** Splits items into messages: one each for solo kinds, else chunks of MAX_PER_MESSAGE. */
export function messagesOf<T>(kind: NotificationKind, items: T[]): T[][] {
  if (SOLO_KINDS.has(kind)) return items.map((item) => [item]);
  const messages: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_PER_MESSAGE) messages.push(items.slice(i, i + MAX_PER_MESSAGE));
  return messages;
}
