import assert from 'node:assert/strict';
import { storyRunSchema, type StoryRun } from '@nightshift/crds';
import type { DecisionView, PodView, SessionView, StoryRunObservation } from './observation.ts';
import { planStoryRun, retryDelaySeconds, type LifecyclePolicy } from './plan.ts';

const policy: LifecyclePolicy = {
  gracefulStopSeconds: 300,
  immediateStopSeconds: 1,
  abortStopSeconds: 30,
  backoffBaseSeconds: 10,
  backoffMaxSeconds: 300,
  podRetentionSeconds: 60,
  volumeRetentionSeconds: 0,
  pendingTimeoutSeconds: 300,
  persistentVolume: true,
};
const NOW = new Date('2026-11-25T12:00:00Z');

function storyRun(spec: Record<string, unknown> = {}, status: StoryRun['status'] = {}): StoryRun {
  return storyRunSchema.parse({
    apiVersion: 'nightshift.dev/v1alpha1',
    kind: 'StoryRun',
    metadata: { name: 's', namespace: 'ns', uid: 'u1', generation: 3 },
    spec: { story: { id: 'S-1', title: 't' }, repository: { url: 'file:///r' }, ...spec },
    status,
  });
}
const session = (over: Partial<SessionView> = {}): SessionView => ({
  id: `sess-${over.attempt ?? 1}`,
  attempt: 1,
  mode: 'run',
  podName: `s-${over.attempt ?? 1}`,
  podUid: `pod-${over.attempt ?? 1}`,
  step: 'implement',
  costUSD: 0.25,
  maxCostUSD: 1,
  createdAt: new Date('2026-11-25T11:00:00Z'),
  heartbeatAt: null,
  endedAt: null,
  outcome: null,
  outcomeDetail: null,
  ...over,
});
const pod = (over: Partial<PodView> = {}): PodView => ({
  name: `s-${over.attempt ?? 1}`,
  uid: `pod-${over.attempt ?? 1}`,
  attempt: 1,
  mode: 'run',
  phase: 'Running',
  terminating: false,
  ...over,
});
const observe = (over: Partial<StoryRunObservation> = {}): StoryRunObservation => ({
  storyRun: storyRun(),
  pods: [],
  volume: { name: 's-worktree', phase: 'Bound', terminating: false },
  sessions: [],
  decision: undefined,
  admission: { admitted: true, reason: 'NoQueue', message: 'no queue: admitted at once' },
  now: NOW,
  ...over,
});
const types = (plan: ReturnType<typeof planStoryRun>) => plan.actions.map((a) => a.type);

describe('planStoryRun', () => {
  it('admits a new story and starts attempt 1 with its volume', () => {
    const plan = planStoryRun(observe({ volume: undefined }), policy);
    assert.deepEqual(plan.actions, [{ type: 'EnsureVolume' }, { type: 'StartAttempt', attempt: 1, mode: 'run' }]);
    assert.equal(plan.status.phase, 'Admitted');
    assert.deepEqual(
      plan.transitions.map((t) => t.reason),
      ['Admitted', 'Started'],
    );
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

  it('re-creates (or adopts) the pod of an attempt whose pod was never recorded', () => {
    const plan = planStoryRun(observe({ sessions: [session({ podUid: null })] }), policy);
    assert.deepEqual(plan.actions, [{ type: 'StartAttempt', attempt: 1, mode: 'run' }]);
  });

  it('finishes Succeeded with the pull request from the outcome', () => {
    const done = session({
      endedAt: NOW,
      outcome: 'Succeeded',
      outcomeDetail: { pullRequest: { url: 'http://pr/1', number: 1 }, confidence: 0.9 },
    });
    const plan = planStoryRun(observe({ sessions: [done], pods: [pod({ phase: 'Succeeded', exitCode: 0 })] }), policy);
    assert.equal(plan.status.phase, 'Succeeded');
    assert.deepEqual(plan.status.pullRequest, { url: 'http://pr/1', number: 1 });
    assert.equal(plan.status.completedAt, NOW.toISOString());
  });

  it('records a crash when the pod fails without an outcome, then retries after backoff', () => {
    const failedPod = pod({ phase: 'Failed', exitCode: 1, reason: 'Error' });
    const plan = planStoryRun(observe({ sessions: [session()], pods: [failedPod] }), policy);
    assert.deepEqual(types(plan), ['RecordEnd']);
    assert.equal(plan.status.failures, 1);
    assert.equal(plan.requeueAfterMs, 10_000);
    const later = planStoryRun(
      observe({
        sessions: [session({ endedAt: NOW, outcome: 'Crashed', outcomeDetail: { reason: 'Error' } })],
        pods: [failedPod],
        now: new Date(NOW.getTime() + 10_000),
      }),
      policy,
    );
    assert.deepEqual(types(later), ['DeletePod', 'StartAttempt']);
    assert.deepEqual(later.actions.at(-1), { type: 'StartAttempt', attempt: 2, mode: 'run' });
  });

  it('treats a vanished pod as a crash', () => {
    const plan = planStoryRun(observe({ sessions: [session()], pods: [] }), policy);
    assert.deepEqual(plan.actions[0], {
      type: 'RecordEnd',
      sessionId: 'sess-1',
      attempt: 1,
      podName: 's-1',
      podUid: 'pod-1',
      outcome: 'Crashed',
      detail: { reason: 'PodMissing', message: 'pod s-1 disappeared' },
    });
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
      outcome: 'Paused',
      detail: { reason: 'Stopped', cause: 'PodMissing', message: 'pod s-1 disappeared' },
    });
    assert.equal(plan.status.failures, 0);
    assert.equal(plan.status.phase, 'Paused');
    const stopped = session({
      endedAt: NOW,
      outcome: 'Paused',
      outcomeDetail: { reason: 'Stopped', cause: 'PodMissing' },
    });
    const resumed = planStoryRun(
      observe({ sessions: [stopped, stopped, stopped].map((s, i) => ({ ...s, attempt: i + 1 })) }),
      policy,
    );
    assert.deepEqual(types(resumed), ['StartAttempt'], 'three pauses are not three failures');
  });

  it('fails an attempt whose pod is stuck Pending on a missing Secret, after the timeout', () => {
    const stuck = pod({
      phase: 'Pending',
      reason: 'CreateContainerConfigError',
      message: 'secret "gh" not found',
      createdAt: new Date(NOW.getTime() - 60_000),
    });
    const early = planStoryRun(observe({ sessions: [session()], pods: [stuck] }), policy);
    assert.deepEqual(types(early), []);
    assert.equal(early.requeueAfterMs, 240_000);
    assert.match(early.status.message!, /CreateContainerConfigError \(secret "gh" not found\)/);
    const late = planStoryRun(
      observe({ sessions: [session()], pods: [stuck], now: new Date(NOW.getTime() + 240_000) }),
      policy,
    );
    assert.deepEqual(types(late), ['StopPod', 'RecordEnd']);
    const end = late.actions[1];
    assert.ok(end?.type === 'RecordEnd');
    assert.equal(end.outcome, 'Crashed');
    assert.equal(end.detail.reason, 'CreateContainerConfigError');
    assert.match(String(end.detail.message), /secret "gh" not found/);
  });

  it('leaves a slow but healthy pending pod alone', () => {
    const creating = pod({
      phase: 'Pending',
      reason: 'ContainerCreating',
      createdAt: new Date(NOW.getTime() - 3_600_000),
    });
    assert.deepEqual(types(planStoryRun(observe({ sessions: [session()], pods: [creating] }), policy)), []);
  });

  it("carries the runner's failure reason into the Complete condition", () => {
    const failed = session({
      endedAt: NOW,
      outcome: 'Failed',
      outcomeDetail: { reason: 'VerificationFailed', message: 'npm test failed 3 times' },
    });
    const plan = planStoryRun(observe({ sessions: [failed] }), policy);
    assert.equal(plan.status.phase, 'Failed');
    assert.equal(plan.reasons.complete, 'VerificationFailed');
    const odd = session({ endedAt: NOW, outcome: 'Failed', outcomeDetail: { reason: 'not camel case' } });
    assert.equal(planStoryRun(observe({ sessions: [odd] }), policy).reasons.complete, 'Failed');
  });

  it('fails the story when crashes pass backoffLimit', () => {
    const crashed = (attempt: number) =>
      session({ attempt, endedAt: NOW, outcome: 'Crashed', outcomeDetail: { message: 'boom' } });
    const plan = planStoryRun(
      observe({ storyRun: storyRun({ backoffLimit: 1 }), sessions: [crashed(1), crashed(2)] }),
      policy,
    );
    assert.equal(plan.status.phase, 'Failed');
    assert.equal(plan.transitions[0]?.reason, 'BackoffLimitExceeded');
    assert.deepEqual(plan.actions, []);
  });

  it('doubles the retry delay up to its cap', () => {
    assert.deepEqual(
      [1, 2, 3, 10].map((n) => retryDelaySeconds(n, policy)),
      [10, 20, 40, 300],
    );
  });

  it('pauses gracefully with the long grace period, then immediately with the short one', () => {
    const graceful = planStoryRun(
      observe({ storyRun: storyRun({ paused: true }), sessions: [session()], pods: [pod()] }),
      policy,
    );
    assert.deepEqual(graceful.actions, [
      { type: 'StopPod', podName: 's-1', graceSeconds: 300, why: 'graceful pause requested' },
    ]);
    assert.equal(graceful.status.phase, 'Pausing');
    const alreadyStopping = pod({ terminating: true, deletionGracePeriodSeconds: 300 });
    const again = planStoryRun(
      observe({ storyRun: storyRun({ paused: true }), sessions: [session()], pods: [alreadyStopping] }),
      policy,
    );
    assert.deepEqual(again.actions, [], 'a pod already stopping with that grace is left alone');
    const immediate = planStoryRun(
      observe({
        storyRun: storyRun({ paused: true, pauseMode: 'Immediate' }),
        sessions: [session()],
        pods: [alreadyStopping],
      }),
      policy,
    );
    assert.deepEqual(immediate.actions, [
      { type: 'StopPod', podName: 's-1', graceSeconds: 1, why: 'immediate pause requested' },
    ]);
  });

  it('is Paused once no pod runs, and resumes from the checkpoint when unpaused', () => {
    const stopped = session({ endedAt: NOW, outcome: 'Paused', outcomeDetail: { reason: 'Stopped' } });
    const paused = planStoryRun(observe({ storyRun: storyRun({ paused: true }), sessions: [stopped] }), policy);
    assert.equal(paused.status.phase, 'Paused');
    assert.deepEqual(paused.actions, []);
    const resumed = planStoryRun(observe({ sessions: [stopped] }), policy);
    assert.deepEqual(resumed.actions, [{ type: 'StartAttempt', attempt: 2, mode: 'run' }]);
    assert.equal(resumed.transitions[0]?.reason, 'Resumed');
  });

  it('waits for a human with the decision in status, then answers and resumes', () => {
    const waiting = session({ endedAt: NOW, outcome: 'WaitingForHuman', outcomeDetail: { decisionId: 'd1' } });
    const decision: DecisionView = {
      id: 'd1',
      kind: 'Decision',
      step: 'plan',
      question: 'Which library?',
      context: 'ctx',
      options: ['a', 'b'],
      recommendation: 'a',
      askedAt: NOW,
      answeredAt: null,
      choice: null,
    };
    const plan = planStoryRun(observe({ sessions: [waiting], decision }), policy);
    assert.equal(plan.status.phase, 'WaitingForHuman');
    assert.equal(plan.status.pendingDecision?.question, 'Which library?');
    assert.deepEqual(plan.actions, []);

    const answered = planStoryRun(
      observe({
        storyRun: storyRun({ decisions: [{ id: 'd1', choice: 'b', comment: 'smaller' }] }),
        sessions: [waiting],
        decision,
      }),
      policy,
    );
    assert.deepEqual(answered.actions, [
      { type: 'AnswerDecision', decisionId: 'd1', choice: 'b', comment: 'smaller' },
      { type: 'StartAttempt', attempt: 2, mode: 'run' },
    ]);
    assert.equal(answered.status.pendingDecision, undefined);
  });

  it('stays Paused on BudgetExceeded until the cap is raised', () => {
    const over = session({
      endedAt: NOW,
      outcome: 'Paused',
      maxCostUSD: 1,
      outcomeDetail: { reason: 'BudgetExceeded', message: 'next call would pass $1' },
    });
    const held = planStoryRun(observe({ storyRun: storyRun({ maxCostUSD: 1 }), sessions: [over] }), policy);
    assert.equal(held.status.phase, 'Paused');
    assert.match(held.status.message!, /raise spec.maxCostUSD/);
    const raised = planStoryRun(observe({ storyRun: storyRun({ maxCostUSD: 2 }), sessions: [over] }), policy);
    assert.deepEqual(types(raised), ['StartAttempt']);
    // Refused without any cap (a model with no known price): retrying would only repeat it.
    const uncapped = session({
      endedAt: NOW,
      outcome: 'Paused',
      maxCostUSD: null,
      outcomeDetail: { reason: 'BudgetExceeded' },
    });
    assert.deepEqual(types(planStoryRun(observe({ sessions: [uncapped] }), policy)), []);
  });

  it('aborts: stops the pod, then discards the work', () => {
    const aborting = planStoryRun(
      observe({ storyRun: storyRun({ abort: { requested: true } }), sessions: [session()], pods: [pod()] }),
      policy,
    );
    assert.deepEqual(types(aborting), ['StopPod']);
    const stopped = session({ endedAt: NOW, outcome: 'Paused', outcomeDetail: { reason: 'Stopped' } });
    const done = planStoryRun(
      observe({ storyRun: storyRun({ abort: { requested: true } }), sessions: [stopped] }),
      policy,
    );
    assert.deepEqual(types(done), ['DeleteVolume']);
    assert.equal(done.status.phase, 'Aborted');
  });

  it('aborts with keepWork: a salvage attempt pushes the branch first', () => {
    const stopped = session({ endedAt: NOW, outcome: 'Paused', outcomeDetail: { reason: 'Stopped' } });
    const abort = storyRun({ abort: { requested: true, keepWork: true } });
    const salvage = planStoryRun(observe({ storyRun: abort, sessions: [stopped] }), policy);
    assert.deepEqual(salvage.actions, [{ type: 'StartAttempt', attempt: 2, mode: 'salvage' }]);
    assert.notEqual(salvage.status.phase, 'Aborted');
    const saved = session({
      attempt: 2,
      mode: 'salvage',
      endedAt: NOW,
      outcome: 'Salvaged',
      outcomeDetail: { branch: 'nightshift/S-1', pushed: true },
    });
    const done = planStoryRun(observe({ storyRun: abort, sessions: [stopped, saved] }), policy);
    assert.equal(done.status.phase, 'Aborted');
    assert.match(done.status.message!, /kept on branch nightshift\/S-1/);
  });

  it('cleans up a finished story after the retention periods', () => {
    const finished = storyRun({}, { phase: 'Succeeded', completedAt: new Date(NOW.getTime() - 30_000).toISOString() });
    const keepVolume = { ...policy, volumeRetentionSeconds: 120 };
    const early = planStoryRun(observe({ storyRun: finished, pods: [pod({ phase: 'Succeeded' })] }), keepVolume);
    assert.deepEqual(types(early), []);
    assert.equal(early.requeueAfterMs, 30_000, 'the pod is due first');
    const late = planStoryRun(
      observe({ storyRun: finished, pods: [pod({ phase: 'Succeeded' })], now: new Date(NOW.getTime() + 60_000) }),
      keepVolume,
    );
    assert.deepEqual(types(late), ['DeletePod']);
    const gone = planStoryRun(observe({ storyRun: finished, pods: [] }), policy);
    assert.deepEqual(types(gone), ['DeleteVolume']);
    assert.equal(gone.status.phase, 'Succeeded');
  });
});
