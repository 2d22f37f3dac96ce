import assert from 'node:assert/strict';
import { describePullRequest, type PullRequestFacts } from './description.ts';

const facts: PullRequestFacts = {
  story: {
    id: 'DEMO-1',
    title: 'Greet by name',
    description: 'The greeting should use the name it is given.',
    acceptanceCriteria: ['greeting(\'Ada\') returns "Hello, Ada!"'],
  },
  run: { namespace: 'team-a', name: 'hello greeting', attempt: 2 },
  change: {
    commits: 1,
    files: [{ status: 'M', path: 'greeting.js' }],
    stat: ' greeting.js | 4 ++--\n 1 file changed, 2 insertions(+), 2 deletions(-)',
    patch: '',
  },
  implementation: 'greeting() uses its argument.',
  verify: {
    configured: true,
    passed: true,
    command: ['npm', 'test'],
    exitCode: 0,
    timedOut: false,
    durationMs: 1234,
    output: '# pass 2\n# fail 0\n',
    attempt: 2,
  },
  maxVerifyAttempts: 3,
  review: { verdict: 'approve', summary: 'Small and tested.' },
  gate: {
    round: 2,
    confidence: 0.73,
    threshold: 0.8,
    factors: [{ name: 'tests', score: 0.8, weight: 0.45, detail: 'passed on attempt 2' }],
    choice: 'approve',
    comment: 'ok for a draft',
  },
  decisions: [{ decisionId: 'd1', question: 'Which style?', choice: 'casual', comment: null }],
  costUSD: 0.0421,
  maxCostUSD: 1,
  dashboardURL: 'https://nightshift.example/',
};

describe('pull request description', () => {
  it('tells a reviewer what, why, how it was tested, how sure, at what cost, and where to replay it', () => {
    const body = describePullRequest(facts);
    for (const part of [
      '## Story DEMO-1: Greet by name',
      'The greeting should use the name it is given.',
      '- [ ] greeting(\'Ada\') returns "Hello, Ada!"',
      'greeting() uses its argument.',
      '1 commit(s), 1 file(s) changed:',
      '- modified `greeting.js`',
      '1 file changed, 2 insertions(+), 2 deletions(-)',
      '`npm test` **passed** on attempt 2 of 3 (1.2 s).',
      '# pass 2',
      '**approve** — Small and tested.',
      '## Confidence 0.73 (threshold 0.80)',
      '| tests | 0.80 | 0.45 | passed on attempt 2 |',
      '**a human approved delivery** at the confidence gate ("ok for a draft")',
      '- Which style? → **casual**',
      '$0.0421 of a $1.00 cap',
      '(https://nightshift.example/runs/team-a/hello%20greeting)',
    ]) {
      assert.ok(body.includes(part), `missing ${part} in:\n${body}`);
    }
  });

  it('says so when nothing verified the change, and leaves out what it does not know', () => {
    const body = describePullRequest({
      ...facts,
      verify: { ...facts.verify, configured: false, command: [] },
      review: null,
      decisions: [],
      gate: { ...facts.gate, choice: 'pass', comment: null },
      dashboardURL: undefined,
      maxCostUSD: undefined,
    });
    assert.match(body, /No verification command is configured/);
    assert.doesNotMatch(body, /## Review|## Decisions|## Replay|human approved|cap/);
  });
});
