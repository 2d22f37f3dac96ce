// The story's cost cap holds with parallel model calls: each call reserves its
// worst case in the Postgres ledger before it runs, so many concurrent calls
// against a small maxCostUSD never settle past the cap; the first refused
// reservation ends the attempt Paused/BudgetExceeded, and raising the cap lets
// the next attempt finish.
import { RUNNER_ENV } from '@nightshift/crds/contract';
import assert from 'node:assert/strict';
import { calcPrice } from '@pydantic/genai-prices';
import { eventsOf, runAttempt, sampleStoryRun, sessionRow, startBench, workspaceIn, type Bench } from './support.ts';

const CALLS = `
${'```'}nightshift
calls: 24
calls-parallel: 12
call-input-tokens: 500
call-output-tokens: 800
call-model: claude-sonnet-4-5
call-provider: anthropic
call-latency-ms: 150
${'```'}
`;

describe('runner: the cost cap', function () {
  let bench: Bench;
  before(async () => (bench = await startBench('cost')));
  after(() => bench?.close());

  it('never settles past maxCostUSD under parallel calls, and pauses with BudgetExceeded', async () => {
    const sample = sampleStoryRun(bench.forge);
    const cap = 0.2;
    const spec = { maxCostUSD: cap, agent: { backend: 'scripted', maxTurns: 30, maxTokensPerCall: 1000 } };
    const run = sampleStoryRun(bench.forge, {
      name: 'budget-1',
      story: { id: 'BUDGET-1', description: `${sample.spec.story.description}${CALLS}` },
      spec,
    });
    const workspace = workspaceIn(bench, 'budget');
    const uid = run.metadata.uid;

    const first = await runAttempt({ bench, run, attempt: 1, workspace });
    const paused = await sessionRow(bench.pool, first.sessionId);
    assert.equal(paused.outcome, 'Paused', first.output());
    assert.equal(paused.outcome_detail?.reason, 'BudgetExceeded');
    assert.match(String(paused.outcome_detail?.message), /does not fit the story's cap \$0\.200000/);

    const reservations = await bench.pool.query<{ state: string; amount_usd: string; actual_usd: string | null }>(
      'select state, amount_usd, actual_usd from cost_reservations where story_uid = $1',
      [uid],
    );
    const settled = reservations.rows.filter((r) => r.state === 'settled');
    const settledTotal = settled.reduce((sum, r) => sum + Number(r.actual_usd), 0);
    const perCall = calcPrice({ input_tokens: 500, output_tokens: 800 }, 'claude-sonnet-4-5', {
      providerId: 'anthropic',
    })!.total_price;
    assert.ok(settled.length >= 2, `several calls ran concurrently (${settled.length} settled)`);
    assert.ok(settled.length < 24, 'the cap stopped the calls');
    assert.ok(settledTotal <= cap, `settled ${settledTotal} <= cap ${cap}`);
    assert.ok(Math.abs(settledTotal - settled.length * perCall) < 1e-6, 'each call settled at its priced usage');
    assert.equal(reservations.rows.filter((r) => r.state === 'reserved').length, 0, 'nothing left reserved');
    assert.ok(Math.abs(Number(paused.cost_usd) - settledTotal) < 1e-6, 'cost_usd is the settled total');
    const window = await bench.pool.query(
      `select limit_usd, spent_usd, reserved_usd from budget_windows where scope = 'story' and scope_key = $1`,
      [uid],
    );
    assert.equal(Number(window.rows[0].limit_usd), cap);
    assert.ok(Number(window.rows[0].spent_usd) <= cap);
    assert.equal(Number(window.rows[0].reserved_usd), 0);
    assert.ok((await eventsOf(bench.pool, uid, 'BudgetRefused')).length >= 1);
    assert.equal((await eventsOf(bench.pool, uid, 'AgentCall')).length, settled.length);

    // The operator raises the cap and starts a new pod: the window follows the spec, and the story finishes.
    const raised = { ...run, spec: { ...run.spec, maxCostUSD: 2 } };
    const second = await runAttempt({ bench, run: raised, attempt: 2, workspace });
    const done = await sessionRow(bench.pool, second.sessionId);
    assert.equal(done.outcome, 'Succeeded', second.output());
    const expected = settledTotal + 24 * perCall;
    assert.ok(Math.abs(Number(done.cost_usd) - expected) < 1e-5, `cost ${done.cost_usd} = ${expected}`);
  });

  it('refuses a call whose cost cannot be bounded, until its price is configured', async () => {
    const unknownModel = CALLS.replace('claude-sonnet-4-5', 'acme-private-1').replace('calls: 24', 'calls: 3');
    const run = sampleStoryRun(bench.forge, {
      name: 'unpriced-1',
      story: { id: 'UNPRICED-1', description: `${sampleStoryRun(bench.forge).spec.story.description}${unknownModel}` },
      spec: { agent: { backend: 'scripted', maxTurns: 30, maxTokensPerCall: 1000 } },
    });
    const workspace = workspaceIn(bench, 'unpriced');
    const first = await runAttempt({ bench, run, attempt: 1, workspace });
    const paused = await sessionRow(bench.pool, first.sessionId);
    assert.equal(paused.outcome, 'Paused', first.output());
    assert.equal(paused.outcome_detail?.reason, 'BudgetExceeded');
    assert.match(
      String(paused.outcome_detail?.message),
      /cannot be bounded because no price is known for model "acme-private-1"/,
    );
    assert.equal(
      (await bench.pool.query('select 1 from cost_reservations where story_uid = $1', [run.metadata.uid])).rowCount,
      0,
    );

    const prices = JSON.stringify({ 'acme-private-1': { input_mtok: 1, output_mtok: 2 } });
    const second = await runAttempt({ bench, run, attempt: 2, workspace, env: { [RUNNER_ENV.modelPrices]: prices } });
    const done = await sessionRow(bench.pool, second.sessionId);
    assert.equal(done.outcome, 'Succeeded', second.output());
    assert.equal(Number(done.cost_usd), (3 * (500 * 1 + 800 * 2)) / 1e6, 'priced with the configured price');
  });
});
