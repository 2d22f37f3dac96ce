// Human in the loop: a question the agent asks becomes a decision_queue row
// and the pod ends WaitingForHuman; later pods wait until the row is answered,
// then resume the graph with the answer, which reaches the agent. A confidence
// below the threshold asks a human too: retry loops back to implement,
// approve delivers anyway.
import assert from 'node:assert/strict';
import type pg from 'pg';
import { readFileAt, repositoryPath, branchHead } from '../../hack/stand-ins/forge.ts';
import {
  eventsOf,
  runAttempt,
  sampleStoryRun,
  sessionRow,
  startBench,
  stepEvents,
  workspaceIn,
  type Bench,
} from './support.ts';

const fence = '```';
const STYLE_QUESTION = `
The greeting style is not decided yet.

${fence}ask
question: Which greeting style should greeting() use?
options: casual, formal
recommendation: casual
context: Casual says "Hello, Ada!" (what the tests expect); formal says "Good day, Ada.".
${fence}

${fence}write greeting.js choice=casual
// style: casual
export function greeting(name = 'world') {
  return \`Hello, \${name}!\`;
}
${fence}

${fence}write greeting.js choice=formal
// style: formal
export function greeting(name = 'world') {
  return \`Good day, \${name}.\`;
}
${fence}
`;

async function answer(pool: pg.Pool, id: string, choice: string, comment: string): Promise<void> {
  const { rowCount } = await pool.query(
    `update decision_queue set answered_at = now(), choice = $2, comment = $3, answered_by = 'test' where id = $1`,
    [id, choice, comment],
  );
  assert.equal(rowCount, 1);
}

describe('runner: decisions by a human', function () {
  let bench: Bench;
  before(async () => (bench = await startBench('decide')));
  after(() => bench?.close());

  it("asks the agent's question, waits for the answer, and resumes with it", async () => {
    const run = sampleStoryRun(bench.forge, { name: 'ask-1', story: { id: 'ASK-1', description: STYLE_QUESTION } });
    const workspace = workspaceIn(bench, 'ask');
    const first = await runAttempt({ bench, run, attempt: 1, workspace });
    const waiting = await sessionRow(bench.pool, first.sessionId);
    assert.equal(waiting.outcome, 'WaitingForHuman', first.output());
    const decisionId = waiting.outcome_detail?.decisionId as string;
    const { rows } = await bench.pool.query('select * from decision_queue where story_uid = $1', [run.metadata.uid]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].id, decisionId);
    assert.equal(rows[0].kind, 'Decision');
    assert.equal(rows[0].step, 'implement');
    assert.equal(rows[0].question, 'Which greeting style should greeting() use?');
    assert.deepEqual(rows[0].options, ['casual', 'formal']);
    assert.equal(rows[0].recommendation, 'casual');
    assert.match(rows[0].context, /Good day, Ada/);
    assert.equal(rows[0].session_id, first.sessionId);

    const unanswered = await runAttempt({ bench, run, attempt: 2, workspace });
    assert.deepEqual((await sessionRow(bench.pool, unanswered.sessionId)).outcome_detail, { decisionId });
    assert.equal((await bench.pool.query('select 1 from decision_queue')).rowCount, 1, 'asked once');

    await answer(bench.pool, decisionId, 'casual', 'keep it friendly');
    const third = await runAttempt({ bench, run, attempt: 3, workspace });
    assert.equal((await sessionRow(bench.pool, third.sessionId)).outcome, 'Succeeded', third.output());

    const bare = repositoryPath(`${bench.dir}/forge`, 'demo/hello');
    const content = await readFileAt(bare, (await branchHead(bare, 'nightshift/ASK-1'))!, 'greeting.js');
    assert.match(content, /^\/\/ style: casual/, 'the answer reached the agent');
    const answered = await eventsOf(bench.pool, run.metadata.uid, 'DecisionAnswered');
    assert.deepEqual(
      answered.map((e) => [e.session_id, e.data.choice]),
      [[third.sessionId, 'casual']],
    );
    const pull = bench.forge.pulls.find((p) => p.head === 'nightshift/ASK-1')!;
    assert.ok(pull.body?.includes('Which greeting style should greeting() use? → **casual** — keep it friendly'));
    assert.equal((await stepEvents(bench.pool, run.metadata.uid, 'plan', 'StepStarted')).length, 1, 'plan ran once');
  });

  it('pauses at the confidence gate; retry loops back to implement, approve delivers', async () => {
    const sample = sampleStoryRun(bench.forge);
    const run = sampleStoryRun(bench.forge, {
      name: 'gate-1',
      story: {
        id: 'GATE-1',
        description: `${sample.spec.story.description}\n${fence}nightshift\nconfidence: 0.2, 0.25\n${fence}\n`,
      },
    });
    const workspace = workspaceIn(bench, 'gate');
    const uid = run.metadata.uid;

    const first = await runAttempt({ bench, run, attempt: 1, workspace });
    const firstRow = await sessionRow(bench.pool, first.sessionId);
    assert.equal(firstRow.outcome, 'WaitingForHuman', first.output());
    const gate1 = firstRow.outcome_detail?.decisionId as string;
    const { rows } = await bench.pool.query('select * from decision_queue where id = $1', [gate1]);
    assert.equal(rows[0].kind, 'ConfidenceGate');
    assert.equal(rows[0].step, 'gate');
    assert.deepEqual(rows[0].options, ['approve', 'retry', 'abort']);
    assert.match(rows[0].question, /Confidence 0\.76 is below the threshold 0\.80/);
    assert.match(rows[0].context, /\| self \| 0\.20 \| 0\.30 \|/);
    assert.match(rows[0].context, /npm test` passed on attempt 1/);

    await answer(bench.pool, gate1, 'retry', 'double-check the default greeting');
    const second = await runAttempt({ bench, run, attempt: 2, workspace });
    const secondRow = await sessionRow(bench.pool, second.sessionId);
    assert.equal(secondRow.outcome, 'WaitingForHuman', second.output());
    const gate2 = secondRow.outcome_detail?.decisionId as string;
    assert.notEqual(gate2, gate1, 'a second gate is a second question');
    const implementRuns = await stepEvents(bench.pool, uid, 'implement', 'StepFinished');
    assert.deepEqual(
      implementRuns.map((e) => e.session_id),
      [first.sessionId, second.sessionId],
      'retry looped back to implement',
    );
    const gates = await eventsOf(bench.pool, uid, 'GateResult');
    assert.deepEqual(
      gates.map((e) => e.data.confidence),
      [0.76, 0.775],
    );

    await answer(bench.pool, gate2, 'approve', 'fine for a draft');
    const third = await runAttempt({ bench, run, attempt: 3, workspace });
    const done = await sessionRow(bench.pool, third.sessionId);
    assert.equal(done.outcome, 'Succeeded', third.output());
    assert.equal(done.outcome_detail?.confidence, 0.775);
    const pull = bench.forge.pulls.find((p) => p.head === 'nightshift/GATE-1')!;
    assert.match(pull.body ?? '', /a human approved delivery\*\* at the confidence gate \("fine for a draft"\)/);
    const started3 = (await eventsOf(bench.pool, uid, 'StepStarted'))
      .filter((e) => e.session_id === third.sessionId)
      .map((e) => e.message);
    assert.deepEqual(started3, ['gate', 'rebase', 'push', 'open_pull_request'], 'approve went on to delivery');
  });
});
