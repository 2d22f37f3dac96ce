import assert from 'node:assert/strict';
import { sweepOrphans, type StoryPod } from './orphans.ts';

const everywhere = { watched: () => true, abortStopSeconds: 10 };
const pod = (over: Partial<StoryPod>): StoryPod => ({
  namespace: 'ns',
  name: 'p',
  storyUid: 'gone',
  live: true,
  terminating: false,
  ...over,
});

describe('sweepOrphans', () => {
  it('closes the open attempts of StoryRuns that are gone, once per story, and leaves live ones', () => {
    const sweep = sweepOrphans(
      [
        { uid: 'gone', namespace: 'ns' },
        { uid: 'gone', namespace: 'ns' },
        { uid: 'alive', namespace: 'ns' },
      ],
      new Set(['alive']),
      [],
      everywhere,
    );
    assert.deepEqual(sweep.close, ['gone']);
  });

  it("leaves records in namespaces this operator does not watch (another operator's)", () => {
    const sweep = sweepOrphans([{ uid: 'theirs', namespace: 'team-b' }], new Set(), [], {
      watched: (ns) => ns === 'team-a',
      abortStopSeconds: 10,
    });
    assert.deepEqual(sweep.close, []);
  });

  it('stops live pods of gone StoryRuns with the abort grace, unless they already stop at least that fast', () => {
    const sweep = sweepOrphans(
      [],
      new Set(['alive']),
      [
        pod({ name: 'orphan' }),
        pod({ name: 'collected-slowly', terminating: true, deletionGracePeriodSeconds: 300 }),
        pod({ name: 'stopping-fast', terminating: true, deletionGracePeriodSeconds: 10 }),
        pod({ name: 'finished', live: false }),
        pod({ name: 'owned', storyUid: 'alive' }),
        pod({ name: 'unlabelled', storyUid: undefined }),
      ],
      everywhere,
    );
    assert.deepEqual(
      sweep.stop.map((p) => p.name),
      ['orphan', 'collected-slowly'],
    );
  });
});
