import assert from 'node:assert/strict';
import {
  findCondition,
  isConditionTrue,
  kubeTime,
  removeCondition,
  setCondition,
  type Condition,
} from './conditions.ts';
import { statusEqual } from './status.ts';

const t1 = new Date('2026-11-25T10:00:00.123Z');
const t2 = new Date('2026-11-25T11:30:00.456Z');

describe('conditions', () => {
  it('adds a new condition with lastTransitionTime now, at seconds precision', () => {
    const conditions = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'PodPending' }, t1);
    assert.deepEqual(conditions, [
      { type: 'Ready', status: 'False', reason: 'PodPending', message: '', lastTransitionTime: '2026-11-25T10:00:00Z' },
    ]);
  });

  it('keeps lastTransitionTime when only reason, message or observedGeneration change', () => {
    const before = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'PodPending', observedGeneration: 1 },
      t1,
    );
    const after = setCondition(
      before,
      { type: 'Ready', status: 'False', reason: 'ImagePull', message: 'pulling', observedGeneration: 2 },
      t2,
    );
    assert.deepEqual(after, [
      {
        type: 'Ready',
        status: 'False',
        reason: 'ImagePull',
        message: 'pulling',
        lastTransitionTime: '2026-11-25T10:00:00Z',
        observedGeneration: 2,
      },
    ]);
  });

  it('moves lastTransitionTime when the status changes, and leaves other conditions and their order alone', () => {
    let conditions = setCondition([], { type: 'Admitted', status: 'True', reason: 'QueueHasRoom' }, t1);
    conditions = setCondition(conditions, { type: 'Ready', status: 'False', reason: 'PodPending' }, t1);
    const admitted = conditions[0];
    const next = setCondition(conditions, { type: 'Ready', status: 'True', reason: 'PodRunning' }, t2);
    assert.deepEqual(
      next.map((c) => c.type),
      ['Admitted', 'Ready'],
    );
    assert.equal(next[0], admitted);
    assert.equal(findCondition(next, 'Ready')?.lastTransitionTime, '2026-11-25T11:30:00Z');
    assert.equal(isConditionTrue(next, 'Ready'), true);
    assert.equal(isConditionTrue(next, 'Missing'), false);
  });

  it('does not modify the list it is given', () => {
    const original: Condition[] = setCondition([], { type: 'Ready', status: 'False', reason: 'PodPending' }, t1);
    const copy = structuredClone(original);
    setCondition(original, { type: 'Ready', status: 'True', reason: 'PodRunning' }, t2);
    removeCondition(original, 'Ready');
    assert.deepEqual(original, copy);
  });

  it('refuses a reason that is not a CamelCase word', () => {
    assert.throws(
      () => setCondition([], { type: 'Ready', status: 'True', reason: 'pod is running' }, t1),
      /reason "pod is running" must be a CamelCase word/,
    );
  });

  it('formats times like metav1.Time', () => {
    assert.equal(kubeTime(t2), '2026-11-25T11:30:00Z');
  });
});

describe('statusEqual', () => {
  it('ignores key order and fields set to undefined', () => {
    assert.ok(statusEqual({ phase: 'Running', attempt: 1, message: undefined }, { attempt: 1, phase: 'Running' }));
  });

  it('sees any change of value, including inside conditions', () => {
    const conditions = setCondition([], { type: 'Ready', status: 'False', reason: 'PodPending' }, t1);
    const changed = setCondition(
      conditions,
      { type: 'Ready', status: 'False', reason: 'PodPending', message: 'x' },
      t1,
    );
    assert.ok(!statusEqual({ conditions }, { conditions: changed }));
    assert.ok(!statusEqual({ phase: 'Running' }, { phase: 'Paused' }));
    assert.ok(!statusEqual({ phase: 'Running' }, undefined));
  });
});
