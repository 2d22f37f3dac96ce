import assert from 'node:assert/strict';
import { attemptOutcomeSchema, runnerOutcomeSchema } from './outcomes.ts';

describe('contract: attempt outcomes', () => {
  const valid = [
    { outcome: 'Succeeded', detail: { pullRequest: { url: 'https://forge/pr/1', number: 1 }, confidence: 0.91 } },
    { outcome: 'WaitingForHuman', detail: { decisionId: 'S-1:plan:1' } },
    { outcome: 'Paused', detail: { reason: 'Stopped', message: 'SIGTERM' } },
    { outcome: 'Paused', detail: { reason: 'Stopped', cause: 'PodMissing', exitCode: null, message: 'gone' } },
    { outcome: 'Paused', detail: { reason: 'BudgetExceeded', message: 'refused a plan call' } },
    { outcome: 'Failed', detail: { reason: 'VerificationFailed', message: 'npm test failed' } },
    { outcome: 'Salvaged', detail: { branch: 'nightshift/S-1', pushed: true } },
    { outcome: 'Crashed', detail: { reason: 'OOMKilled', exitCode: 137, message: 'pod s-1 failed' } },
  ];
  for (const outcome of valid) {
    it(`accepts ${outcome.outcome} ${JSON.stringify(outcome.detail)}`, () => {
      assert.deepEqual(attemptOutcomeSchema.parse(outcome), outcome);
    });
  }

  const invalid: [string, unknown][] = [
    ['an unknown outcome', { outcome: 'Exploded', detail: {} }],
    ['a Succeeded without its pull request', { outcome: 'Succeeded', detail: { confidence: 1 } }],
    [
      'a confidence outside 0..1',
      { outcome: 'Succeeded', detail: { pullRequest: { url: 'u', number: 1 }, confidence: 3 } },
    ],
    ['a pause for a reason nobody handles', { outcome: 'Paused', detail: { reason: 'Bored', message: '' } }],
    ['a Failed reason that is not CamelCase', { outcome: 'Failed', detail: { reason: 'not camel', message: 'x' } }],
  ];
  for (const [name, outcome] of invalid) {
    it(`refuses ${name}`, () => assert.equal(attemptOutcomeSchema.safeParse(outcome).success, false));
  }

  it('keeps fields a newer writer added (compatibility)', () => {
    const parsed = attemptOutcomeSchema.parse({
      outcome: 'WaitingForHuman',
      detail: { decisionId: 'd', since: 'now' },
    });
    assert.deepEqual(parsed.detail, { decisionId: 'd', since: 'now' });
  });

  it('a runner never records Crashed: that one is the operator’s', () => {
    assert.equal(runnerOutcomeSchema.safeParse(valid.at(-1)).success, false);
  });
});
