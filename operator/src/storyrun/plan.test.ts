// planStoryRun, the single entry point: which phase decides, end to end over
// a story's life. Each phase's own cases sit beside it in phases/*.test.ts.
import assert from 'node:assert/strict';
import {
  NOW,
  decision,
  ended,
  later,
  observe,
  pod,
  policy,
  reasons,
  session,
  storyRun,
  types,
} from './plan-fixtures.ts';
import { planStoryRun, retryDelaySeconds } from './plan.ts';

describe('planStoryRun', () => {
  it('admits a new story and starts attempt 1 with its volume', () => {
    const plan = planStoryRun(observe({ volume: undefined }), policy);
    assert.deepEqual(plan.actions, [{ type: 'EnsureVolume' }, { type: 'StartAttempt', attempt: 1, mode: 'run' }]);
    assert.equal(plan.status.phase, 'Admitted');
    assert.deepEqual(reasons(plan), ['Admitted', 'Started']);
    assert.equal(plan.status.branch, 'nightshift/S-1');
  });

  it('keeps a story Queued while admission says no', () => {
    const plan = planStoryRun(
      observe({ admission: { admitted: false, reason: 'QueueFull', message: 'queue full' } }),
      policy,
    );
    assert.equal(plan.status.phase, 'Queued');
    assert.deepEqual(plan.actions, []);
  });

  it('mirrors a running attempt: phase, step, cost, pod', () => {
    const plan = planStoryRun(observe({ sessions: [session()], pods: [pod()] }), policy);
    assert.equal(plan.status.phase, 'Running');
    assert.equal(plan.status.step, 'implement');
    assert.equal(plan.status.costUSD, 0.25);
    assert.equal(plan.status.podName, 's-1');
    assert.deepEqual(plan.actions, []);
  });

  it('finishes Succeeded with the pull request from the typed outcome', () => {
    const done = ended({
      outcome: 'Succeeded',
      detail: { pullRequest: { url: 'http://pr/1', number: 1 }, confidence: 0.9 },
    });
    const plan = planStoryRun(observe({ sessions: [done], pods: [pod({ phase: 'Succeeded', exitCode: 0 })] }), policy);
    assert.equal(plan.status.phase, 'Succeeded');
    assert.deepEqual(plan.status.pullRequest, { url: 'http://pr/1', number: 1 });
    assert.equal(plan.status.confidence, 0.9);
    assert.equal(plan.status.completedAt, NOW.toISOString());
  });

  it('records a crash when the pod fails without an outcome, then retries after backoff', () => {
    const failedPod = pod({ phase: 'Failed', exitCode: 1, reason: 'Error' });
    const plan = planStoryRun(observe({ sessions: [session()], pods: [failedPod] }), policy);
    assert.deepEqual(types(plan), ['RecordEnd']);
    assert.equal(plan.status.failures, 1);
    assert.equal(plan.requeueAfterMs, 10_000);
    const crash = ended({ outcome: 'Crashed', detail: { reason: 'Error', message: 'pod s-1 failed' } });
    const retry = planStoryRun(observe({ sessions: [crash], pods: [failedPod], now: later(10) }), policy);
    assert.deepEqual(types(retry), ['DeletePod', 'StartAttempt']);
    assert.deepEqual(retry.actions.at(-1), { type: 'StartAttempt', attempt: 2, mode: 'run' });
  });

  it('does not count a pod it stopped for a pause as a crash, and resumes without backoff', () => {
    const paused = storyRun({ paused: true, pauseMode: 'Immediate' });
    const plan = planStoryRun(observe({ storyRun: paused, sessions: [session()], pods: [] }), policy);
    assert.deepEqual(plan.actions[0], {
      type: 'RecordEnd',
      sessionId: 'sess-1',
      attempt: 1,
      podName: 's-1',
      podUid: 'pod-1',
      end: { outcome: 'Paused', detail: { reason: 'Stopped', cause: 'PodMissing', message: 'pod s-1 disappeared' } },
    });
    assert.equal(plan.status.failures, 0);
    assert.equal(plan.status.phase, 'Paused');
    const stopped = (attempt: number) =>
      ended(
        { outcome: 'Paused', detail: { reason: 'Stopped', cause: 'PodMissing', message: 'gone' } },
        { attempt, id: `sess-${attempt}` },
      );
    const resumed = planStoryRun(observe({ sessions: [stopped(1), stopped(2), stopped(3)] }), policy);
    assert.deepEqual(types(resumed), ['StartAttempt'], 'three pauses are not three failures');
  });

  it('fails the story when crashes pass backoffLimit, naming the last cause', () => {
    const crashed = (attempt: number) =>
      ended(
        { outcome: 'Crashed', detail: { reason: 'Error', message: `fatal: repository not found (${attempt})` } },
        { attempt, id: `sess-${attempt}` },
      );
    const plan = planStoryRun(
      observe({ storyRun: storyRun({ backoffLimit: 1 }), sessions: [crashed(1), crashed(2)] }),
      policy,
    );
    assert.equal(plan.status.phase, 'Failed');
    assert.equal(plan.reasons.complete, 'BackoffLimitExceeded');
    assert.match(
      plan.status.message!,
      /BackoffLimitExceeded: 2 failed pods \(last: fatal: repository not found \(2\)\)/,
    );
    assert.deepEqual(plan.actions, []);
  });

  it('doubles the retry delay up to its cap', () => {
    assert.deepEqual(
      [1, 2, 3, 10].map((n) => retryDelaySeconds(n, policy)),
      [10, 20, 40, 300],
    );
  });

  it('an abort wins over a pause, and a finished story only cleans up', () => {
    const both = storyRun({ paused: true, abort: { requested: true } });
    assert.equal(
      planStoryRun(observe({ storyRun: both, sessions: [session()], pods: [pod()] }), policy).actions[0]?.type,
      'StopPod',
    );
    const finished = storyRun({ abort: { requested: true } }, { phase: 'Succeeded', completedAt: NOW.toISOString() });
    const plan = planStoryRun(observe({ storyRun: finished, sessions: [session()] }), policy);
    assert.equal(plan.status.phase, 'Succeeded');
    assert.ok(!types(plan).includes('StartAttempt'));
  });

  it('waits for a human with the decision in status, then answers and resumes', () => {
    const waiting = ended({ outcome: 'WaitingForHuman', detail: { decisionId: 'd1' } });
    const plan = planStoryRun(observe({ sessions: [waiting], decision: decision() }), policy);
    assert.equal(plan.status.phase, 'WaitingForHuman');
    assert.equal(plan.status.pendingDecision?.question, 'Which library?');
    const answered = planStoryRun(
      observe({
        storyRun: storyRun({ decisions: [{ id: 'd1', choice: 'b', comment: 'smaller' }] }),
        sessions: [waiting],
        decision: decision(),
      }),
      policy,
    );
    assert.deepEqual(answered.actions, [
      { type: 'AnswerDecision', decisionId: 'd1', choice: 'b', comment: 'smaller' },
      { type: 'StartAttempt', attempt: 2, mode: 'run' },
    ]);
    assert.equal(answered.status.pendingDecision, undefined);
  });
});

describe('planStoryRun: holds', () => {
  const hold = { reason: 'ScheduleClosed', message: 'schedule closed' };

  it('a pod that vanished under a hold was stopped, not crashed', () => {
    const plan = planStoryRun(observe({ sessions: [session()], pods: [], holds: [hold] }), policy);
    const end = plan.actions.find((a) => a.type === 'RecordEnd');
    assert.equal(end?.type === 'RecordEnd' && end.end.outcome, 'Paused');
    assert.equal(plan.status.failures, 0);
    assert.equal(plan.status.phase, 'Paused');
  });

  it('resumes by itself from the checkpoint once the hold is lifted', () => {
    const stopped = ended({ outcome: 'Paused', detail: { reason: 'Stopped', message: 'SIGTERM' } });
    const held = planStoryRun(observe({ sessions: [stopped], holds: [hold] }), policy);
    assert.deepEqual(types(held), []);
    const lifted = planStoryRun(
      observe({ storyRun: storyRun({}, { phase: 'Paused' }), sessions: [stopped], holds: [] }),
      policy,
    );
    assert.deepEqual(lifted.actions.at(-1), { type: 'StartAttempt', attempt: 2, mode: 'run' });
    assert.deepEqual(reasons(lifted), ['Resumed']);
  });

  it('an admitted story held before its first pod waits, then starts', () => {
    const held = planStoryRun(observe({ holds: [hold] }), policy);
    assert.equal(held.status.phase, 'Paused');
    assert.deepEqual(types(held), []);
    assert.deepEqual(types(planStoryRun(observe({ holds: [] }), policy)), ['StartAttempt']);
  });
});

describe('planStoryRun: slow', () => {
  const slowPolicy = { ...policy, slowAfterSeconds: 600 };
  it('shows Slow while one step runs long with the runner alive', () => {
    const running = session({ heartbeatAt: later(-5), stepStartedAt: later(-700) });
    const plan = planStoryRun(observe({ sessions: [running], pods: [pod()] }), slowPolicy);
    assert.match(plan.reasons.slow ?? '', /step implement has run for 700 s/);
    assert.deepEqual(plan.actions, [], 'slow is reported, nothing is stopped');
  });
  it('is not Slow while the step is young', () => {
    const running = session({ heartbeatAt: later(-5), stepStartedAt: later(-10) });
    assert.equal(planStoryRun(observe({ sessions: [running], pods: [pod()] }), slowPolicy).reasons.slow, undefined);
  });
});
