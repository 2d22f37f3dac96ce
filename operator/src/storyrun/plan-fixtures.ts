// Observations for the lifecycle plan's table tests (plan.test.ts and
// phases/*.test.ts): a StoryRun parsed like the reconciler parses it, attempts
// as the records hold them, pods as the cache shows them.
import { storyRunSchema, type StoryRun } from '@nightshift/crds';
import type { AttemptOutcome } from '@nightshift/crds/contract';
import type { DecisionRecord } from '../records/decisions.ts';
import type { ExecutionSession } from '../records/sessions.ts';
import type { PodView, StoryRunObservation } from './observation.ts';
import { PlanDraft, type LifecyclePolicy, type Plan } from './plan-draft.ts';

export const policy: LifecyclePolicy = {
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
export const NOW = new Date('2026-11-25T12:00:00Z');
export const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

export function storyRun(spec: Record<string, unknown> = {}, status: StoryRun['status'] = {}): StoryRun {
  return storyRunSchema.parse({
    apiVersion: 'nightshift.dev/v1alpha1',
    kind: 'StoryRun',
    metadata: { name: 's', namespace: 'ns', uid: 'u1', generation: 3 },
    spec: { story: { id: 'S-1', title: 't' }, repository: { url: 'file:///r' }, ...spec },
    status,
  });
}

export const session = (over: Partial<ExecutionSession> = {}): ExecutionSession => ({
  id: `sess-${over.attempt ?? 1}`,
  storyUid: 'u1',
  attempt: 1,
  mode: 'run',
  podName: `s-${over.attempt ?? 1}`,
  podUid: `pod-${over.attempt ?? 1}`,
  step: 'implement',
  costUSD: 0.25,
  maxCostUSD: 1,
  createdAt: new Date('2026-11-25T11:00:00Z'),
  runnerStartedAt: new Date('2026-11-25T11:00:01Z'),
  heartbeatAt: null,
  stepStartedAt: null,
  endedAt: null,
  result: null,
  error: null,
  budgetKeys: [],
  ...over,
});

/** An attempt that ended with result (at NOW unless told). */
export const ended = (result: AttemptOutcome, over: Partial<ExecutionSession> = {}) =>
  session({ endedAt: NOW, result, ...over });

export const pod = (over: Partial<PodView> = {}): PodView => ({
  name: `s-${over.attempt ?? 1}`,
  uid: `pod-${over.attempt ?? 1}`,
  attempt: 1,
  mode: 'run',
  phase: 'Running',
  terminating: false,
  ...over,
});

export const decision = (over: Partial<DecisionRecord> = {}): DecisionRecord => ({
  id: 'd1',
  storyUid: 'u1',
  namespace: 'ns',
  name: 's',
  sessionId: 'sess-1',
  kind: 'Decision',
  step: 'plan',
  question: 'Which library?',
  context: 'ctx',
  options: ['a', 'b'],
  recommendation: 'a',
  askedAt: NOW,
  answeredAt: null,
  choice: null,
  comment: null,
  answeredBy: null,
  ...over,
});

export const observe = (over: Partial<StoryRunObservation> = {}): StoryRunObservation => ({
  storyRun: storyRun(),
  pods: [],
  volume: { name: 's-worktree', phase: 'Bound', terminating: false },
  sessions: [],
  decision: undefined,
  admission: { admitted: true, reason: 'NoQueue', message: 'no queue: admitted at once' },
  now: NOW,
  ...over,
});

/** Runs one phase module on a draft of the observation. */
export function runPhase(phase: (d: PlanDraft) => void, o: StoryRunObservation, p: LifecyclePolicy = policy): Plan {
  const d = new PlanDraft(o, p);
  phase(d);
  return d.plan();
}

export const types = (plan: Plan) => plan.actions.map((a) => a.type);
export const reasons = (plan: Plan) => plan.transitions.map((t) => t.reason);
