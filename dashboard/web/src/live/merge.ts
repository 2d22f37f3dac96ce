// Applying one change from the WebSocket to a list in the query cache: match
// by uid, drop a change older than what the list holds (a replay after a
// reconnect, or a REST read that was newer), remove on delete. Returns the
// same array when nothing changed, so React skips the re-render.
import type { ChangeMessage } from '@nightshift/dashboard/api';

export interface Versioned {
  uid: string;
  resourceVersion: string | null;
}

/** Kubernetes resourceVersions are opaque; etcd's are decimal, and then a larger one is newer. */
export function isOlder(incoming: string | null, held: string | null): boolean {
  if (incoming === null || held === null) return false;
  if (!/^\d+$/.test(incoming) || !/^\d+$/.test(held)) return false;
  return BigInt(incoming) <= BigInt(held);
}

export type ListChange = Pick<ChangeMessage, 'op' | 'uid' | 'resourceVersion' | 'object'>;

export function mergeChange<T extends Versioned>(items: readonly T[], change: ListChange): readonly T[] {
  const index = items.findIndex((item) => item.uid === change.uid);
  if (change.op === 'delete') return index === -1 ? items : items.filter((_, i) => i !== index);
  if (change.op !== 'upsert' || change.object === null || change.object === undefined) return items;
  const object = change.object as T;
  if (index === -1) return [...items, object];
  const held = items[index]!;
  if (isOlder(change.resourceVersion ?? object.resourceVersion, held.resourceVersion)) return items;
  const next = items.slice();
  next[index] = object;
  return next;
}
