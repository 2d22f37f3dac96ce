// The words every channel shares: a message's headline and how a story, an
// amount or a time is named.
import { DateTime } from 'luxon';
import type { Notification, NotificationKind, StoryRef, Summary } from '@nightshift/crds/contract';

export const storyLabel = (story: Pick<StoryRef, 'namespace' | 'name' | 'title'>) =>
  story.title ? `${story.title} (${story.namespace}/${story.name})` : `${story.namespace}/${story.name}`;

export const usd = (amount: number) => `$${amount.toFixed(2)}`;
export const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;

/** A time in the recipient's zone, e.g. "Wed 25 Nov, 18:00 CET". */
export const localTime = (iso: string | Date, timeZone: string) =>
  (typeof iso === 'string' ? DateTime.fromISO(iso) : DateTime.fromJSDate(iso))
    .setZone(timeZone)
    .toFormat('ccc d LLL, HH:mm ZZZZ');

export const localDay = (summary: Summary) =>
  DateTime.fromISO(summary.end).setZone(summary.timeZone).toFormat('cccc d LLLL yyyy');

const plural = (n: number, one: string, many: string) => (n === 1 ? one : `${n} ${many}`);

export function headline(kind: NotificationKind, items: Notification[]): string {
  const first = items[0]!;
  const n = items.length;
  switch (first.kind) {
    case 'StoryCompleted':
      return n === 1 ? `Story completed: ${storyLabel(first.story)}` : `${n} stories completed`;
    case 'StoryFailed':
      return n === 1 ? `Story failed: ${storyLabel(first.story)}` : `${n} stories failed`;
    case 'DecisionNeeded':
      return n === 1 ? `Decision needed: ${storyLabel(first.story)}` : `${n} decisions needed`;
    case 'BudgetThreshold':
      return n === 1
        ? `Budget ${first.budget.namespace}/${first.budget.name} at ${percent(first.spentUSD / Math.max(first.limitUSD, 1e-9))} of its ${first.scope} limit`
        : `${n} budgets near their limits`;
    case 'BudgetExceeded':
      if (n > 1) return `${n} budgets exceeded`;
      return first.budget
        ? `Budget ${first.budget.namespace}/${first.budget.name} exceeded: its queues admit nothing more`
        : `Story paused at its cost cap: ${storyLabel(first.story!)}`;
    case 'RepeatedFailures':
      if (n > 1) return `Repeated failures in ${n} places`;
      return first.queue
        ? `Queue ${first.queue.namespace}/${first.queue.name} paused after repeated failures`
        : `Story failed repeatedly: ${storyLabel(first.story!)}`;
    case 'StoryStuck':
      return n === 1 ? `Story stuck: ${storyLabel(first.story)}` : `${n} stories stuck`;
    case 'DailySummary':
      return `Nightshift daily summary: ${localDay(first.summary)}`;
    case 'WeeklyReport':
      return `Nightshift weekly report: the week to ${localDay(first.summary)}`;
  }
  return plural(n, kind, kind);
}
