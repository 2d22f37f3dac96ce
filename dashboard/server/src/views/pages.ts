// Cursor pagination over a sorted list: the cursor is the sort key of the
// last item returned, so the next page starts after it even when items were
// added or removed in between (no offsets that shift under the reader).
import { ApiError } from '../api/problem.ts';

export type SortKey = readonly (string | number)[];

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): SortKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === length &&
      key.every((k) => typeof k === 'string' || typeof k === 'number')
    ) {
      return key;
    }
  } catch {
    // falls through to the error below
  }
  throw ApiError.invalid([{ field: 'query.cursor', message: 'is not a cursor this list returned' }]);
}

export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/** One page of items sorted by keyOf (ascending); items need not be sorted. */
export function pageOf<T>(items: readonly T[], keyOf: (item: T) => SortKey, request: PageRequest) {
  const keyed = items.map((item) => ({ item, key: keyOf(item) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  const keys = new Map(keyed.map((k) => [k.item, k.key]));
  return pageOfSorted(
    keyed.map((k) => k.item),
    (item) => keys.get(item)!,
    request,
  );
}

/**
 * One page of the items, already sorted by keyOf, that match: the cursor is
 * found by binary search and the scan stops once the page is full, so a page
 * of a long list costs its own length, not the list's.
 */
export function pageOfSorted<T>(
  sorted: readonly T[],
  keyOf: (item: T) => SortKey,
  { limit, cursor }: PageRequest,
  matches: (item: T) => boolean = () => true,
): { items: T[]; nextCursor: string | null } {
  let start = 0;
  if (cursor !== undefined && sorted.length > 0) {
    const after = decodeCursor(cursor, keyOf(sorted[0]!).length);
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareKeys(keyOf(sorted[mid]!), after) > 0) high = mid;
      else low = mid + 1;
    }
    start = low;
  }
  const items: T[] = [];
  for (let i = start; i < sorted.length && items.length <= limit; i++) {
    if (matches(sorted[i]!)) items.push(sorted[i]!);
  }
  const more = items.length > limit;
  const page = more ? items.slice(0, limit) : items;
  return { items: page, nextCursor: more ? encodeCursor(keyOf(page.at(-1)!)) : null };
}

/** Newest first: the sort key of a time descending, as an ascending key. */
export const newestFirst = (iso: string | null) => (iso ? -Date.parse(iso) : 0);
