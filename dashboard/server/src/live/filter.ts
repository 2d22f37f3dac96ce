// Which changes a subscription wants: one story (its own changes, its pods'
// and its events), one queue (the queue and its stories), one namespace, some
// kinds. The same function decides for replayed and for live changes.
import type { ChangeMessage, SubscriptionFilter } from '../api/schemas.ts';

export function matches(filter: SubscriptionFilter | undefined, change: ChangeMessage): boolean {
  if (!filter) return true;
  if (filter.kinds && !filter.kinds.includes(change.kind)) return false;
  if (filter.namespace && change.namespace !== filter.namespace) return false;
  if (filter.story) {
    if (change.namespace !== filter.story.namespace || change.storyName !== filter.story.name) return false;
  }
  if (filter.queue) {
    if (change.namespace !== filter.queue.namespace || change.queue !== filter.queue.name) return false;
  }
  return true;
}
