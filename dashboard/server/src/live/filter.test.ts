import assert from 'node:assert/strict';
import type { ChangeMessage, SubscriptionFilter } from '../api/schemas.ts';
import { matches } from './filter.ts';

const change = (over: Partial<ChangeMessage>): ChangeMessage => ({
  type: 'change',
  seq: 1,
  at: '2026-11-25T12:00:00.000Z',
  kind: 'event',
  op: 'append',
  uid: '00000000-0000-4000-8000-000000000001',
  namespace: 'team-a',
  name: 'fix-login',
  storyUid: '00000000-0000-4000-8000-000000000001',
  storyName: 'fix-login',
  queue: 'nightly',
  resourceVersion: null,
  object: null,
  event: null,
  ...over,
});

const story = { namespace: 'team-a', name: 'fix-login' };
const cases: [string, SubscriptionFilter | undefined, Partial<ChangeMessage>, boolean][] = [
  ['no filter: everything', undefined, {}, true],
  ['a story: its events', { story }, {}, true],
  ['a story: its pods', { story }, { kind: 'Pod', name: 'fix-login-1' }, true],
  ['a story: not another story', { story }, { storyName: 'other' }, false],
  ['a story: not the same name elsewhere', { story }, { namespace: 'team-b' }, false],
  ['a story: not a queue', { story }, { kind: 'WorkQueue', name: 'nightly', storyName: null, storyUid: null }, false],
  ['a queue: its stories', { queue: { namespace: 'team-a', name: 'nightly' } }, {}, true],
  [
    'a queue: itself',
    { queue: { namespace: 'team-a', name: 'nightly' } },
    { kind: 'WorkQueue', name: 'nightly', storyName: null },
    true,
  ],
  ['a queue: not a story of another', { queue: { namespace: 'team-a', name: 'nightly' } }, { queue: 'daily' }, false],
  ['a queue: not a story without one', { queue: { namespace: 'team-a', name: 'nightly' } }, { queue: null }, false],
  ['a namespace', { namespace: 'team-a' }, {}, true],
  ['another namespace', { namespace: 'team-b' }, {}, false],
  ['kinds: listed', { kinds: ['Budget', 'event'] }, {}, true],
  ['kinds: not listed', { kinds: ['Budget'] }, {}, false],
  ['a story and kinds together', { story, kinds: ['StoryRun'] }, {}, false],
];

describe('subscription filters', () => {
  for (const [what, filter, over, expected] of cases) {
    it(what, () => assert.equal(matches(filter, change(over)), expected));
  }
});
