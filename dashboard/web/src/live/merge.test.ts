import assert from 'node:assert/strict';
import { isOlder, mergeChange, type ListChange } from './merge.ts';

interface Item {
  uid: string;
  resourceVersion: string | null;
  phase: string;
}
const a: Item = { uid: 'a', resourceVersion: '10', phase: 'Running' };
const b: Item = { uid: 'b', resourceVersion: '20', phase: 'Queued' };
const list: readonly Item[] = [a, b];
const upsert = (object: Item): ListChange => ({
  op: 'upsert',
  uid: object.uid,
  resourceVersion: object.resourceVersion,
  object,
});

describe('web: mergeChange (a WebSocket change into a cached list)', () => {
  const cases: { name: string; change: ListChange; expect: readonly Item[] | 'same' }[] = [
    {
      name: 'a newer version replaces the item in place',
      change: upsert({ ...a, resourceVersion: '11', phase: 'Succeeded' }),
      expect: [{ ...a, resourceVersion: '11', phase: 'Succeeded' }, b],
    },
    { name: 'the same version is dropped', change: upsert({ ...a, phase: 'Paused' }), expect: 'same' },
    {
      name: 'an older version (a replay after reconnect) is dropped',
      change: upsert({ ...b, resourceVersion: '19', phase: 'Running' }),
      expect: 'same',
    },
    {
      name: 'versions compare as numbers, not strings',
      change: upsert({ ...a, resourceVersion: '9', phase: 'Old' }),
      expect: 'same',
    },
    {
      name: 'a larger number with more digits is newer',
      change: upsert({ ...a, resourceVersion: '100', phase: 'New' }),
      expect: [{ ...a, resourceVersion: '100', phase: 'New' }, b],
    },
    {
      name: 'an unknown uid is appended',
      change: upsert({ uid: 'c', resourceVersion: '5', phase: 'Queued' }),
      expect: [a, b, { uid: 'c', resourceVersion: '5', phase: 'Queued' }],
    },
    {
      name: 'a delete removes it whatever its version',
      change: { op: 'delete', uid: 'a', resourceVersion: '1', object: null },
      expect: [b],
    },
    {
      name: 'a delete of an unknown uid changes nothing',
      change: { op: 'delete', uid: 'z', resourceVersion: null, object: null },
      expect: 'same',
    },
    {
      name: 'an append (an execution event) is not a list item',
      change: { op: 'append', uid: 'a', resourceVersion: null, object: {} },
      expect: 'same',
    },
    {
      name: 'an opaque (non-numeric) version is taken as newer',
      change: upsert({ ...a, resourceVersion: 'x7', phase: 'Paused' }),
      expect: [{ ...a, resourceVersion: 'x7', phase: 'Paused' }, b],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = mergeChange(list, c.change);
      if (c.expect === 'same') assert.equal(result, list, 'the very same array (no re-render)');
      else assert.deepEqual(result, c.expect);
    });
  }

  it('isOlder: null on either side is never older', () => {
    assert.equal(isOlder(null, '3'), false);
    assert.equal(isOlder('3', null), false);
    assert.equal(isOlder('3', '3'), true);
  });
});
