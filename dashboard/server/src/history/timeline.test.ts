import assert from 'node:assert/strict';
import type { ExecutionEvent } from '@nightshift/crds/contract';
import { buildTimeline, maxOverlap } from './timeline.ts';

let id = 0;
const at = (m: number) => new Date(Date.UTC(2026, 10, 25, 12, m));
const ev = (
  uid: string,
  m: number,
  source: 'runner' | 'operator',
  type: string,
  data: Record<string, unknown> = {},
  step: string | null = null,
): ExecutionEvent => ({
  id: String(++id),
  sessionId: null,
  storyUid: uid,
  occurredAt: at(m),
  source,
  type,
  step,
  message: null,
  data,
});
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

describe('buildTimeline', () => {
  const events = [
    ev(A, 0, 'operator', 'Running', { phase: 'Running' }),
    ev(A, 1, 'runner', 'StepStarted', { attempt: 1 }, 'plan'),
    ev(B, 2, 'runner', 'StepStarted', { attempt: 1 }, 'plan'),
    ev(A, 3, 'runner', 'AgentCall', { costUSD: 0.5 }),
    ev(A, 4, 'runner', 'StepFinished', {}, 'plan'),
    ev(A, 4, 'runner', 'StepStarted', { attempt: 1 }, 'implement'),
    ev(A, 5, 'runner', 'AgentCall', { costUSD: 0.25 }),
    ev(A, 6, 'operator', 'Pausing', { phase: 'Pausing' }),
    ev(A, 7, 'operator', 'Paused', { phase: 'Paused' }),
    ev(A, 9, 'operator', 'Resumed', { phase: 'Running' }),
    ev(A, 10, 'runner', 'StepStarted', { attempt: 2 }, 'implement'),
    ev(B, 11, 'operator', 'WaitingForHuman', { phase: 'WaitingForHuman' }),
  ];
  const { lanes, maxParallel } = buildTimeline(events, (uid) =>
    uid === A ? { namespace: 'ns', name: 'a', title: 'A', queue: 'q' } : undefined,
  );
  const a = lanes.find((l) => l.uid === A)!;
  const b = lanes.find((l) => l.uid === B)!;

  it('one lane per story, named from the cache when it knows the story', () => {
    assert.deepEqual(
      lanes.map((l) => l.name),
      ['a', null],
    );
    assert.equal(a.queue, 'q');
  });
  it('steps as spans; a pause cuts the step in flight and is one span from Pausing to the resume', () => {
    assert.deepEqual(
      a.spans.map((s) => [s.kind, s.name, s.start.slice(14, 16), s.end?.slice(14, 16) ?? null]),
      [
        ['step', 'plan', '01', '04'],
        ['step', 'implement', '04', '06'],
        ['pause', 'Pausing', '06', '09'],
        ['step', 'implement', '10', null],
      ],
    );
  });
  it('a wait for a human is a span of its own, open at the end of the range', () => {
    assert.deepEqual(
      b.spans.map((s) => [s.kind, s.end]),
      [
        ['step', at(11).toISOString()],
        ['waiting', null],
      ],
    );
  });
  it('cost accumulates', () =>
    assert.deepEqual(
      a.cost.map((c) => c.totalUSD),
      [0.5, 0.75],
    ));
  it('transitions are markers', () =>
    assert.deepEqual(
      a.markers.map((m) => m.type),
      ['Running', 'Pausing', 'Paused', 'Resumed'],
    ));
  it('counts the most stories in a step at once', () => {
    assert.equal(maxParallel, 2);
    assert.equal(maxOverlap([]), 0);
  });
});
