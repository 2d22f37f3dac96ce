import assert from 'node:assert/strict';
import { ApiError } from '../api/problem.ts';
import { encodeCursor, newestFirst, pageOf, pageOfSorted } from './pages.ts';

const items = Array.from({ length: 7 }, (_, i) => ({ name: `s${i}`, at: `2026-11-2${i}T00:00:00.000Z` }));
const byNewest = (item: (typeof items)[number]) => [newestFirst(item.at), item.name] as const;

describe('cursor pages', () => {
  it('walks every item once, newest first, in pages', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = pageOf(items, byNewest, { limit: 3, cursor });
      seen.push(...page.items.map((i) => i.name));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    assert.deepEqual(seen, ['s6', 's5', 's4', 's3', 's2', 's1', 's0']);
  });

  it('a page after an item that was removed meanwhile starts after where it was', () => {
    const first = pageOf(items, byNewest, { limit: 2 });
    const without = items.filter((i) => i.name !== 's5');
    assert.deepEqual(
      pageOf(without, byNewest, { limit: 2, cursor: first.nextCursor! }).items.map((i) => i.name),
      ['s4', 's3'],
    );
  });

  it('the last page has no next cursor, and an empty list neither', () => {
    assert.equal(pageOf(items, byNewest, { limit: 7 }).nextCursor, null);
    assert.deepEqual(pageOf([], byNewest, { limit: 5 }), { items: [], nextCursor: null });
  });

  it('refuses a cursor it did not make, naming query.cursor', () => {
    for (const bad of ['not-base64!', encodeCursor(['only one']), Buffer.from('{}').toString('base64url')]) {
      assert.throws(
        () => pageOf(items, byNewest, { limit: 2, cursor: bad }),
        (e: unknown) => e instanceof ApiError && e.status === 400 && e.errors?.[0]?.field === 'query.cursor',
      );
    }
  });
});

describe('cursor pages over a sorted list', () => {
  it('finds the page after a cursor by binary search, the same as sorting', () => {
    const sorted = [...items].sort((a, b) => newestFirst(a.at) - newestFirst(b.at));
    let cursor: string | undefined;
    const seen: string[] = [];
    for (;;) {
      const page = pageOfSorted(sorted, byNewest, { limit: 2, cursor });
      assert.deepEqual(page, pageOf(items, byNewest, { limit: 2, cursor }));
      seen.push(...page.items.map((i) => i.name));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    assert.deepEqual(seen, ['s6', 's5', 's4', 's3', 's2', 's1', 's0']);
  });
});

describe('cursor pages over a sorted list, filtered', () => {
  const sorted = [...items].sort((a, b) => newestFirst(a.at) - newestFirst(b.at));
  const even = (i: (typeof items)[number]) => Number(i.name.slice(1)) % 2 === 0;

  it('pages through the matching items only, and the last page has no cursor', () => {
    const first = pageOfSorted(sorted, byNewest, { limit: 2 }, even);
    assert.deepEqual(
      first.items.map((i) => i.name),
      ['s6', 's4'],
    );
    const second = pageOfSorted(sorted, byNewest, { limit: 2, cursor: first.nextCursor! }, even);
    assert.deepEqual(
      second.items.map((i) => i.name),
      ['s2', 's0'],
    );
    assert.equal(second.nextCursor, null);
  });

  it('looks at no more items than the page needs', () => {
    let looked = 0;
    pageOfSorted(sorted, byNewest, { limit: 2 }, () => (looked++, true));
    assert.equal(looked, 3, 'the page and one more, to know whether there is a next page');
  });
});
