import assert from 'node:assert/strict';
import { assessConfidence } from './confidence.ts';
import { agentDecision, decisionId, gateChoice, gateDecision } from './decisions.ts';

const story = { uid: '3f1b2c4d-0000-4000-8000-000000000001', name: 'hello-greeting' };

describe('decisions', () => {
  it('gives a question the same id on every resume, and another question or story another id', () => {
    const id = decisionId(story, 'Decision', 1, 'Which style?');
    assert.match(id, /^hello-greeting-q1-[0-9a-f]{12}$/);
    assert.equal(decisionId(story, 'Decision', 1, 'Which style?'), id);
    assert.notEqual(decisionId(story, 'Decision', 2, 'Which style?'), id);
    assert.notEqual(decisionId(story, 'Decision', 1, 'Which colour?'), id);
    assert.notEqual(
      decisionId({ ...story, uid: '3f1b2c4d-0000-4000-8000-000000000002' }, 'Decision', 1, 'Which style?'),
      id,
    );
    assert.match(decisionId(story, 'ConfidenceGate', 1, 'x'), /^hello-greeting-gate1-/);
  });

  it("carries the agent's question whole", () => {
    const d = agentDecision(story, 1, { question: 'Q?', options: ['a', 'b'], recommendation: 'a', context: 'ctx' });
    assert.deepEqual(
      { ...d, id: undefined },
      {
        id: undefined,
        kind: 'Decision',
        step: 'implement',
        question: 'Q?',
        context: 'ctx',
        options: ['a', 'b'],
        recommendation: 'a',
      },
    );
  });

  it('puts the evidence in the gate context and recommends from it', () => {
    const gate = (selfAssessment: number, verdict: 'approve' | 'request_changes') =>
      gateDecision(story, 1, {
        round: 1,
        threshold: 0.8,
        assessment: assessConfidence({
          verify: { configured: true, passed: true, attempts: 1 },
          review: verdict,
          selfAssessment,
        }),
        implementation: 'Changed greeting.js',
        verify: { configured: true, command: ['npm', 'test'], passed: true, attempt: 1, output: '# pass 2' },
        review: { verdict, summary: 'Looks fine' },
        diffstat: ' greeting.js | 2 +-',
      });
    const low = gate(0.2, 'approve');
    assert.equal(low.kind, 'ConfidenceGate');
    assert.deepEqual(low.options, ['approve', 'retry', 'abort']);
    assert.match(low.question, /Confidence 0\.76 is below the threshold 0\.80/);
    for (const part of ['| self | 0.20 | 0.30 |', '`npm test` passed on attempt 1', '# pass 2', 'greeting.js | 2 +-']) {
      assert.ok(low.context.includes(part), `context has ${part}`);
    }
    assert.equal(low.recommendation, 'retry');
    assert.equal(gate(0.7, 'approve').recommendation, 'approve');
    assert.equal(gate(0.7, 'request_changes').recommendation, 'retry');
  });

  it('reads gate answers; free text means retry', () => {
    assert.equal(gateChoice('approve'), 'approve');
    assert.equal(gateChoice(' Abort '), 'abort');
    assert.equal(gateChoice('retry'), 'retry');
    assert.equal(gateChoice('please handle the empty name too'), 'retry');
  });
});
