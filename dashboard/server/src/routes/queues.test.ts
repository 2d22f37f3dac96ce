import assert from 'node:assert/strict';
import type { StorySummary } from '../api/schemas.ts';
import { isActive } from './queues.ts';

describe('pausing a queue with its running stories', () => {
  const story = (over: Partial<StorySummary>) =>
    ({ paused: false, abortRequested: false, phase: 'Running', ...over }) as StorySummary;
  const cases: [string, Partial<StorySummary>, boolean][] = [
    ['a running story', {}, true],
    ['one admitted, its pod starting', { phase: 'Admitted' }, true],
    ['one queued: the paused queue holds it anyway', { phase: 'Queued' }, false],
    ['one not seen by the operator yet', { phase: null }, false],
    ['one paused already', { paused: true }, false],
    ['one pausing', { phase: 'Pausing', paused: true }, false],
    ['one being aborted', { abortRequested: true }, false],
    ['one waiting for a human (no pod)', { phase: 'WaitingForHuman' }, false],
    ['a finished one', { phase: 'Succeeded' }, false],
  ];
  for (const [what, over, expected] of cases) it(what, () => assert.equal(isActive(story(over)), expected));
});
