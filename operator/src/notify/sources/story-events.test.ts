import assert from 'node:assert/strict';
import type { ExecutionEvent } from '@nightshift/crds/contract';
import { notificationOfStoryEvent, type StoryContext } from './story-events.ts';

const UID = '3f2a0c1e-0000-4000-8000-000000000001';
const context: StoryContext = {
  story_uid: UID,
  namespace: 'team-a',
  name: 'fix-login',
  story_id: 'AUTH-12',
  title: 'Fix the login redirect',
  queue: 'nightly',
  cost_usd: 1.25,
  max_cost_usd: 5,
  outcome: 'Succeeded',
  outcome_detail: { pullRequest: { url: 'https://forge/acme/web/pull/7', number: 7 }, confidence: 0.91 },
};
const event = (e: Partial<ExecutionEvent>): ExecutionEvent => ({
  id: '42',
  sessionId: null,
  storyUid: UID,
  occurredAt: new Date('2026-11-25T03:00:00Z'),
  source: 'operator',
  type: 'Running',
  step: null,
  message: null,
  data: {},
  ...e,
});

const cases: {
  name: string;
  event: ExecutionEvent;
  context?: Partial<StoryContext>;
  kind?: string;
  fingerprint?: string;
  check?: (n: Record<string, unknown>) => void;
}[] = [
  {
    name: 'the transition that finished a story as Succeeded: StoryCompleted with its pull request',
    event: event({ type: 'Succeeded', data: { phase: 'Succeeded', completes: true } }),
    kind: 'StoryCompleted',
    fingerprint: `StoryCompleted/${UID}`,
    check: (n) => {
      assert.deepEqual(n.pullRequest, { url: 'https://forge/acme/web/pull/7', number: 7 });
      assert.deepEqual(n.story, {
        namespace: 'team-a',
        name: 'fix-login',
        uid: UID,
        storyId: 'AUTH-12',
        title: 'Fix the login redirect',
        queue: 'nightly',
      });
    },
  },
  {
    name: 'a failure with the runner’s reason: StoryFailed',
    event: event({
      type: 'VerificationFailed',
      message: 'npm test failed',
      data: { phase: 'Failed', completes: true },
    }),
    context: { outcome: 'Failed', outcome_detail: { reason: 'VerificationFailed', message: 'npm test failed' } },
    kind: 'StoryFailed',
    check: (n) => assert.equal(n.reason, 'VerificationFailed'),
  },
  {
    name: 'pods failing past the backoff limit: RepeatedFailures (critical)',
    event: event({
      type: 'BackoffLimitExceeded',
      message: '4 failed pods',
      data: { phase: 'Failed', completes: true },
    }),
    kind: 'RepeatedFailures',
    fingerprint: `RepeatedFailures/story/${UID}`,
  },
  {
    name: 'a transition in the reconcile that failed the story, but not the one that did: nothing',
    event: event({ type: 'PodFailed', data: { phase: 'Failed' } }),
  },
  {
    name: 'paused at its cost cap: BudgetExceeded naming the cap',
    event: event({ type: 'BudgetExceeded', message: 'the cost cap would be exceeded', data: { phase: 'Paused' } }),
    kind: 'BudgetExceeded',
    check: (n) => assert.equal(n.maxCostUSD, 5),
  },
  {
    name: 'a pod that cannot start: StoryStuck with the kubelet’s reason',
    event: event({
      type: 'PodStalled',
      message: 'pod fix-login-1 cannot start: secret "x" not found (CreateContainerConfigError)',
      data: { phase: 'Admitted' },
    }),
    kind: 'StoryStuck',
    fingerprint: `StoryStuck/${UID}/CreateContainerConfigError`,
  },
  {
    name: 'a question the runner asked: DecisionNeeded with its id and options',
    event: event({
      source: 'runner',
      type: 'DecisionAsked',
      data: {
        id: 'fix-login-q1',
        kind: 'Decision',
        step: 'plan',
        question: 'Keep the old redirect?',
        context: '',
        options: ['keep', 'drop'],
        recommendation: 'drop',
      },
    }),
    kind: 'DecisionNeeded',
    fingerprint: 'DecisionNeeded/fix-login-q1',
    check: (n) =>
      assert.deepEqual(n.decision, {
        id: 'fix-login-q1',
        question: 'Keep the old redirect?',
        options: ['keep', 'drop'],
        step: 'plan',
        recommendation: 'drop',
      }),
  },
  { name: 'an ordinary transition: nothing', event: event({ type: 'Running', data: { phase: 'Running' } }) },
  { name: 'a runner event other than a question: nothing', event: event({ source: 'runner', type: 'StepStarted' }) },
];

describe('notificationOfStoryEvent', () => {
  for (const c of cases) {
    it(c.name, () => {
      const found = notificationOfStoryEvent(c.event, { ...context, ...c.context });
      assert.equal(found?.notification.kind, c.kind);
      if (!found) return;
      assert.equal(found.key, 'event/42', 'keyed by the record it came from');
      if (c.fingerprint) assert.equal(found.fingerprint, c.fingerprint);
      c.check?.(found.notification as Record<string, unknown>);
    });
  }
});
