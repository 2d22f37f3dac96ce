// Verification failures go back to implement with the test output as
// feedback, up to spec.verify.maxAttempts; after that the story has Failed.
import assert from 'node:assert/strict';
import { eventsOf, runAttempt, sampleStoryRun, sessionRow, startBench, workspaceIn, type Bench } from './support.ts';

const fence = '```';
const GOOD = `${fence}write greeting.js\nexport function greeting(name = 'world') {\n  return \`Hello, \${name}!\`;\n}\n${fence}\n`;
const BROKEN_IN_ROUND_1 = `${fence}write greeting.js round=1\nexport function greeting() {\n  return 'Hello, world!';\n}\n${fence}\n`;

describe('runner: the verify loop', function () {
  let bench: Bench;
  before(async () => (bench = await startBench('verify')));
  after(() => bench?.close());

  it('loops a failed verification back to implement and succeeds on the next round', async () => {
    const run = sampleStoryRun(bench.forge, {
      name: 'verify-1',
      story: { id: 'VERIFY-1', description: `${GOOD}\n${BROKEN_IN_ROUND_1}` },
    });
    const runner = await runAttempt({ bench, run, attempt: 1, workspace: workspaceIn(bench, 'verify-1') });
    const row = await sessionRow(bench.pool, runner.sessionId);
    assert.equal(row.outcome, 'Succeeded', runner.output());
    assert.equal(row.outcome_detail?.confidence, 0.88, 'a retried verification lowers the confidence');
    const results = await eventsOf(bench.pool, run.metadata.uid, 'VerifyResult');
    assert.deepEqual(
      results.map((e) => [e.data.attempt, e.data.passed]),
      [
        [1, false],
        [2, true],
      ],
    );
    assert.match(String(results[0]!.data.output), /greets by name/, 'the failing test is in the output');
    const pull = bench.forge.pulls.find((p) => p.head === 'nightshift/VERIFY-1')!;
    assert.match(pull.body ?? '', /\*\*passed\*\* on attempt 2 of 3/);
  });

  it('fails the story after spec.verify.maxAttempts failed verifications', async () => {
    const sample = sampleStoryRun(bench.forge);
    const run = sampleStoryRun(bench.forge, {
      name: 'verify-2',
      story: { id: 'VERIFY-2', description: 'Nothing here makes the tests pass.' },
      spec: { verify: { ...(sample.spec.verify as object), maxAttempts: 2 } },
    });
    const runner = await runAttempt({ bench, run, attempt: 1, workspace: workspaceIn(bench, 'verify-2') });
    const row = await sessionRow(bench.pool, runner.sessionId);
    assert.equal(row.outcome, 'Failed', runner.output());
    assert.equal(row.outcome_detail?.reason, 'VerificationFailed');
    assert.match(String(row.outcome_detail?.message), /`npm test` failed with exit code 1 on all 2 attempt/);
    assert.equal((await eventsOf(bench.pool, run.metadata.uid, 'VerifyResult')).length, 2);
    assert.equal(bench.forge.pulls.filter((p) => p.head === 'nightshift/VERIFY-2').length, 0);
  });
});
