import assert from 'node:assert/strict';
import type { ExecutionEvent } from '@nightshift/crds/contract';
import { buildReplay } from './replay.ts';

const UID = '00000000-0000-4000-8000-000000000001';
let id = 0;
const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, s));
const ev = (
  s: number,
  source: 'runner' | 'operator',
  type: string,
  data: Record<string, unknown> = {},
  extra: Partial<ExecutionEvent> = {},
): ExecutionEvent => ({
  id: String(++id),
  sessionId: null,
  storyUid: UID,
  occurredAt: at(s),
  source,
  type,
  step: null,
  message: null,
  data,
  ...extra,
});
const step = (s: number, node: string, kind: 'StepStarted' | 'StepFinished', attempt = 1, durationMs?: number) =>
  ev(
    s,
    'runner',
    kind,
    { node, visit: 1, attempt, ...(durationMs === undefined ? {} : { durationMs }) },
    { step: node, message: node },
  );

describe('buildReplay', () => {
  const events = [
    ev(0, 'operator', 'Admitted', { phase: 'Admitted' }, { message: 'admitted' }),
    step(1, 'plan', 'StepStarted'),
    ev(2, 'runner', 'AgentCall', {
      purpose: 'plan',
      model: 'm',
      inputTokens: 100,
      outputTokens: 20,
      costUSD: 0.01,
      durationMs: 900,
    }),
    step(3, 'plan', 'StepFinished', 1, 2000),
    step(4, 'implement', 'StepStarted'),
    ev(5, 'runner', 'ToolCall', { tool: 'write_file', ok: true, durationMs: 3, changed: 'a.js' }),
    // the pod is killed: implement never finishes in attempt 1
    ev(6, 'operator', 'Paused', { phase: 'Paused' }),
    step(7, 'implement', 'StepStarted', 2),
    ev(8, 'runner', 'AgentCall', { purpose: 'implement', model: 'm', inputTokens: 50, outputTokens: 5, costUSD: 0.02 }),
    step(9, 'implement', 'StepFinished', 2, 1500),
    step(10, 'commit', 'StepStarted', 2),
    ev(11, 'runner', 'Committed', {
      sha: 'abc',
      files: [
        { status: 'M', path: 'a.js' },
        { status: 'A', path: 'b.js' },
      ],
      patch: 'diff --git a/a.js b/a.js\n+a\ndiff --git a/b.js b/b.js\n+b\n',
    }),
    ev(11, 'runner', 'FileChanged', { sha: 'abc', status: 'M', path: 'a.js' }),
    step(12, 'commit', 'StepFinished', 2, 100),
    step(13, 'gate', 'StepStarted', 2),
    ev(14, 'runner', 'GateResult', { confidence: 0.5, threshold: 0.8, passed: false, factors: [], gate: 1, round: 1 }),
    ev(15, 'runner', 'DecisionAnswered', {
      decisionId: 'g1',
      kind: 'ConfidenceGate',
      choice: 'approve',
      comment: 'ok',
      answeredBy: 'spec.decisions',
    }),
    step(16, 'gate', 'StepFinished', 2, 3000),
    ev(17, 'runner', 'VerifyResult', {
      configured: true,
      passed: true,
      command: ['npm', 'test'],
      exitCode: 0,
      timedOut: false,
      durationMs: 40,
      output: 'ok',
      attempt: 1,
      round: 1,
    }),
  ];
  const replay = buildReplay({
    story: { namespace: 'ns', name: 's', uid: UID, title: 't' },
    events,
    sessions: [],
    decisions: [
      {
        id: 'g1',
        storyUid: UID,
        namespace: 'ns',
        name: 's',
        sessionId: null,
        kind: 'ConfidenceGate',
        step: 'gate',
        question: 'Proceed?',
        context: '',
        options: [],
        recommendation: null,
        askedAt: at(14),
        answeredAt: at(15),
        choice: 'approve',
        comment: null,
        answeredBy: 'spec.decisions',
      },
    ],
  });

  it('puts what came before the first step apart', () =>
    assert.deepEqual(
      replay.before.map((i) => i.type),
      ['event'],
    ));
  it('makes one step per StepStarted, a cut one left unfinished', () => {
    assert.deepEqual(
      replay.steps.map((s) => [s.node, s.attempt, s.durationMs]),
      [
        ['plan', 1, 2000],
        ['implement', 1, null],
        ['implement', 2, 1500],
        ['commit', 2, 100],
        ['gate', 2, 3000],
      ],
    );
  });
  it('adds up the cost per step and in total', () => {
    assert.deepEqual(
      replay.steps.map((s) => s.costUSD),
      [0.01, 0, 0.02, 0, 0],
    );
    assert.equal(replay.totals.costUSD, 0.03);
    assert.equal(replay.totals.inputTokens, 150);
    assert.equal(replay.totals.agentCalls, 2);
    assert.equal(replay.totals.toolCalls, 1);
  });
  it('gives each committed file its own diff, and no separate FileChanged items', () => {
    const commit = replay.steps[3]!.items;
    assert.equal(commit.length, 1);
    assert.deepEqual(commit[0], {
      type: 'commit',
      at: at(11).toISOString(),
      sha: 'abc',
      files: [
        { status: 'M', path: 'a.js', diff: 'diff --git a/a.js b/a.js\n+a' },
        { status: 'A', path: 'b.js', diff: 'diff --git a/b.js b/b.js\n+b' },
      ],
    });
  });
  it('tells automatic decisions from human ones, with the question asked', () => {
    const decisions = replay.steps[4]!.items.filter((i) => i.type === 'decision');
    assert.deepEqual(
      decisions.map((d) => d.type === 'decision' && [d.by, d.choice, d.question]),
      [
        ['auto', 'ask a human', null],
        ['human', 'approve', 'Proceed?'],
      ],
    );
    assert.equal(replay.totals.humanDecisions, 1);
    assert.equal(replay.totals.autoDecisions, 1);
  });
  it('keeps events after the last step in it (verify output here)', () => {
    const last = replay.steps.at(-1)!.items.at(-1)!;
    assert.equal(last.type, 'verify');
    assert.equal(last.type === 'verify' && last.output, 'ok');
  });
  it('keeps transitions between steps in the step before', () =>
    assert.deepEqual(
      replay.steps[1]!.items.map((i) => (i.type === 'event' ? i.name : i.type)),
      ['toolCall', 'Paused'],
    ));
});
