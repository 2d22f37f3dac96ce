import assert from 'node:assert/strict';
import { assessConfidence } from './confidence.ts';

const passed = { configured: true, passed: true, attempts: 1 };

describe('confidence', () => {
  it('is high with passing tests, an approving review and a confident agent', () => {
    assert.equal(assessConfidence({ verify: passed, review: 'approve', selfAssessment: 0.9 }).confidence, 0.97);
  });

  it('drops below 0.8 when the agent doubts its own change, even with passing tests', () => {
    assert.equal(assessConfidence({ verify: passed, review: 'approve', selfAssessment: 0.2 }).confidence, 0.76);
  });

  it('counts retries of the verification against the change', () => {
    const second = assessConfidence({
      verify: { ...passed, attempts: 2 },
      review: 'approve',
      selfAssessment: 0.9,
    });
    assert.equal(second.confidence, 0.88);
    assert.equal(second.factors[0]!.detail, 'passed on attempt 2');
    const fifth = assessConfidence({ verify: { ...passed, attempts: 5 }, review: 'approve', selfAssessment: 0.9 });
    assert.equal(fifth.factors[0]!.score, 0.5);
  });

  it('never clears 0.8 without a verification command', () => {
    const none = { configured: false, passed: true, attempts: 1 };
    assert.equal(assessConfidence({ verify: none, review: 'approve', selfAssessment: 1 }).confidence, 0.775);
  });

  it('weighs a review asking for changes and a missing self-assessment', () => {
    const a = assessConfidence({ verify: passed, review: 'request_changes', selfAssessment: undefined });
    assert.equal(a.confidence, 0.68);
    assert.deepEqual(
      a.factors.map((f) => [f.name, f.score, f.weight]),
      [
        ['tests', 1, 0.45],
        ['review', 0.2, 0.25],
        ['self', 0.6, 0.3],
      ],
    );
  });
});
