// The cli backend runs an external agent command in the worktree with the
// story on stdin; its model calls go through the runner's metering proxy
// (Anthropic Messages, OpenAI Chat Completions), which reserves each call's
// worst case before forwarding it to the provider (here the loopback model
// stand-ins) and settles it from the usage the provider reports. The agent
// never sees the provider's key.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { RUNNER_ENV } from '@nightshift/crds/contract';
import { startAnthropicStandIn, type ModelServer } from '../../hack/stand-ins/anthropic.ts';
import { startOpenAIStandIn } from '../../hack/stand-ins/openai.ts';
import { branchHead, readFileAt, repositoryPath } from '../../hack/stand-ins/forge.ts';
import { eventually } from '../../hack/test/harness.ts';
import {
  eventsOf,
  runAttempt,
  sampleStoryRun,
  sessionRow,
  startBench,
  startRunner,
  workspaceIn,
  type Bench,
} from './support.ts';

const PROVIDER_KEY = 'sk-provider-secret-0123456789';

// A stand-in for a headless coding agent: makes up to N model calls through the base URL and key it was given
// (stopping at the first refusal), tries the provider directly with that key, makes the change, and writes a
// report of what it saw. argv: <report file> <protocol> <calls> <model> [<provider URL to try directly>]
const AGENT = `
import { writeFileSync } from 'node:fs';
const [report, protocol, calls, model, direct] = process.argv.slice(2);
writeFileSync(report + '.pid', String(process.pid));
const task = await new Promise((r) => { let s = ''; process.stdin.on('data', (c) => (s += c)).on('end', () => r(s)); });
const seen = { envKeys: Object.keys(process.env).filter((k) => /KEY|TOKEN|DATABASE/.test(k)), statuses: [], messages: [] };
seen.hasProviderKey = Object.values(process.env).includes('${PROVIDER_KEY}');
const anthropic = protocol === 'anthropic';
const url = anthropic ? process.env.ANTHROPIC_BASE_URL + '/v1/messages' : process.env.OPENAI_BASE_URL + '/chat/completions';
const key = anthropic ? process.env.ANTHROPIC_API_KEY : process.env.OPENAI_API_KEY;
const headers = anthropic
  ? { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' }
  : { 'content-type': 'application/json', authorization: 'Bearer ' + key };
const body = { model, messages: [{ role: 'user', content: 'Change the greeting. ' + task.slice(0, 200) }] };
if (anthropic) body.max_tokens = 1000; // OpenAI: left out, the proxy sets it
for (let i = 0; i < Number(calls); i++) {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const json = await res.json();
  seen.statuses.push(res.status);
  if (res.status !== 200) { seen.messages.push(json.error?.message); break; }
}
if (direct) seen.direct = (await fetch(direct, { method: 'POST', headers, body: JSON.stringify(body) })).status;
writeFileSync('greeting.js', "export function greeting(name = 'world') {\\n  return \`Hello, \${name}!\`;\\n}\\n");
writeFileSync(report, JSON.stringify(seen));
console.log(JSON.stringify({ nightshift_cost: { usd: 0 } }));
console.log(JSON.stringify({ nightshift_confidence: 0.85 }));
console.log(JSON.stringify({ nightshift_summary: 'greeting() uses its argument' }));
`;

const USAGE = { input_tokens: 200, output_tokens: 300 };
const PER_CALL = calcPrice(USAGE, 'claude-sonnet-4-5', { providerId: 'anthropic' })!.total_price;

describe('runner: the cli backend and the metering proxy', function () {
  let bench: Bench;
  let anthropic: ModelServer;
  const script = () => join(bench.dir, 'agent.mjs');
  before(async () => {
    bench = await startBench('cli');
    writeFileSync(script(), AGENT);
    anthropic = await startAnthropicStandIn({
      apiKey: PROVIDER_KEY,
      script: () => ({ text: 'done', usage: USAGE }),
    });
  });
  after(async () => {
    await anthropic?.close();
    await bench?.close();
  });

  const cliStory = (name: string, args: string[], spec: Record<string, unknown> = {}) =>
    sampleStoryRun(bench.forge, {
      name,
      story: { id: name.toUpperCase(), description: 'The greeting should use the name it is given.' },
      spec: {
        agent: {
          backend: 'cli',
          command: [process.execPath, script(), ...args],
          provider: 'anthropic',
          model: 'claude-sonnet-4-5',
          baseURL: anthropic.baseURL,
          maxTurns: 30,
          maxTokensPerCall: 1000,
        },
        ...spec,
      },
    });
  const report = (file: string) =>
    JSON.parse(readFileSync(file, 'utf8')) as {
      envKeys: string[];
      hasProviderKey: boolean;
      statuses: number[];
      messages: string[];
      direct?: number;
    };

  it("meters every call through the proxy, settles it from the provider's usage, and keeps the provider key from the agent", async () => {
    const file = join(bench.dir, 'cli-1.json');
    const run = cliStory('cli-1', [file, 'anthropic', '3', 'claude-sonnet-4-5', `${anthropic.baseURL}/v1/messages`]);
    const before = anthropic.requests.length;
    const runner = await runAttempt({
      bench,
      run,
      attempt: 1,
      workspace: workspaceIn(bench, 'cli-1'),
      env: { [RUNNER_ENV.agentApiKey]: PROVIDER_KEY },
    });
    const session = await sessionRow(bench.pool, runner.sessionId);
    assert.equal(session.outcome, 'Succeeded', runner.output());
    const seen = report(file);
    assert.deepEqual(seen.statuses, [200, 200, 200]);
    assert.equal(seen.hasProviderKey, false, 'the provider key is nowhere in the agent environment');
    assert.equal(seen.direct, 401, 'bypassing the proxy, the agent has no key the provider accepts');
    assert.ok(!seen.envKeys.includes('DATABASE_URL'));
    const forwarded = anthropic.requests.slice(before);
    assert.equal(forwarded.filter((r) => r.headers['x-api-key'] === PROVIDER_KEY).length, 3, 'the proxy adds the key');
    assert.ok(Math.abs(Number(session.cost_usd) - 3 * PER_CALL) < 1e-6, `cost ${session.cost_usd} = 3 calls`);
    const calls = await eventsOf(bench.pool, run.metadata.uid, 'AgentCall');
    assert.deepEqual(
      calls.map((c) => [c.data.model, c.data.inputTokens, c.data.outputTokens]),
      Array(3).fill(['claude-sonnet-4-5', 200, 300]),
    );
    const bare = repositoryPath(`${bench.dir}/forge`, 'demo/hello');
    assert.match(await readFileAt(bare, (await branchHead(bare, 'nightshift/CLI-1'))!, 'greeting.js'), /\$\{name\}/);
  });

  it('stops the agent at the cap exactly: every call that fits is made, the next is refused, and the story pauses', async () => {
    const file = join(bench.dir, 'cli-cap.json');
    const cap = 0.05;
    const run = cliStory('cli-cap', [file, 'anthropic', '50', 'claude-sonnet-4-5'], { maxCostUSD: cap });
    const runner = await runAttempt({
      bench,
      run,
      attempt: 1,
      workspace: workspaceIn(bench, 'cli-cap'),
      env: { [RUNNER_ENV.agentApiKey]: PROVIDER_KEY },
    });
    const session = await sessionRow(bench.pool, runner.sessionId);
    assert.equal(session.outcome, 'Paused', runner.output());
    assert.equal(session.outcome_detail?.reason, 'BudgetExceeded');
    assert.equal(session.outcome_detail?.scope, 'story');
    const seen = report(file);
    const made = seen.statuses.filter((s) => s === 200).length;
    assert.equal(seen.statuses.at(-1), 402, 'the refused call is answered in the protocol, not forwarded');
    assert.match(seen.messages[0]!, /does not fit the story's cap \$0\.050000/);
    const spent = Number(session.cost_usd);
    const worst = Number((await eventsOf(bench.pool, run.metadata.uid, 'BudgetRefused'))[0]!.data.worstCaseUSD);
    assert.ok(Math.abs(spent - made * PER_CALL) < 1e-6, 'each call settled at its priced usage');
    assert.ok(spent <= cap, `spent ${spent} <= cap ${cap}`);
    assert.ok(cap - spent < worst, `the refused call (worst case ${worst}) really did not fit what was left`);
    assert.ok(cap - (spent - PER_CALL) >= worst, 'and the last call made did fit: no call was refused early');
    const { rows } = await bench.pool.query(
      `select count(*)::int as n from cost_reservations where story_uid = $1 and state = 'reserved'`,
      [run.metadata.uid],
    );
    assert.equal(rows[0].n, 0, 'nothing left reserved');
  });

  it('refuses a call to a model without a price, naming the model, and sets max_tokens on an OpenAI call without one', async () => {
    const openai = await startOpenAIStandIn({ apiKey: PROVIDER_KEY, script: () => ({ text: 'ok', usage: USAGE }) });
    try {
      const priced = join(bench.dir, 'cli-openai.json');
      const run = cliStory('cli-openai', [priced, 'openai', '1', 'gpt-4o'], {
        agent: {
          backend: 'cli',
          command: [process.execPath, script(), priced, 'openai', '1', 'gpt-4o'],
          provider: 'openai',
          model: 'gpt-4o',
          baseURL: openai.baseURL,
          maxTurns: 30,
          maxTokensPerCall: 777,
        },
      });
      const ok = await runAttempt({
        bench,
        run,
        attempt: 1,
        workspace: workspaceIn(bench, 'cli-openai'),
        env: { [RUNNER_ENV.agentApiKey]: PROVIDER_KEY },
      });
      assert.equal((await sessionRow(bench.pool, ok.sessionId)).outcome, 'Succeeded', ok.output());
      assert.equal(openai.requests[0]!.body.max_tokens, 777, 'the proxy bounded the call with maxTokensPerCall');
      assert.equal(openai.requests[0]!.headers.authorization, `Bearer ${PROVIDER_KEY}`);

      const unknown = join(bench.dir, 'cli-unknown.json');
      const refused = cliStory('cli-unknown', [unknown, 'anthropic', '1', 'acme-unpriced-9']);
      const before = anthropic.requests.length;
      const runner = await runAttempt({
        bench,
        run: refused,
        attempt: 1,
        workspace: workspaceIn(bench, 'cli-unknown'),
        env: { [RUNNER_ENV.agentApiKey]: PROVIDER_KEY },
      });
      const session = await sessionRow(bench.pool, runner.sessionId);
      assert.equal(session.outcome, 'Paused', runner.output());
      assert.equal(session.outcome_detail?.scope, 'unpriced');
      assert.match(String(session.outcome_detail?.message), /no price is known for model "acme-unpriced-9"/);
      assert.deepEqual(report(unknown).statuses, [400]);
      assert.equal(anthropic.requests.length, before, 'nothing reached the provider');
    } finally {
      await openai.close();
    }
  });

  it('charges a call cut by kill -9 at its worst case once its TTL passes, and the next attempt goes on from there', async () => {
    // A provider that never answers: the call is in flight, its worst case held, when the pod dies.
    const hanging: Server = createServer(() => {});
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
    const hangURL = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
    try {
      const file = join(bench.dir, 'cli-kill.json');
      const run = cliStory('cli-kill', [file, 'anthropic', '1', 'claude-sonnet-4-5'], { maxCostUSD: 1 });
      const stuck = { ...run, spec: { ...run.spec, agent: { ...run.spec.agent, baseURL: hangURL } } };
      const workspace = workspaceIn(bench, 'cli-kill');
      const ttl = 10;
      const first = await startRunner({
        bench,
        run: stuck,
        attempt: 1,
        workspace,
        env: { [RUNNER_ENV.agentApiKey]: PROVIDER_KEY, [RUNNER_ENV.reservationTTLSeconds]: String(ttl) },
      });
      const reservations = () =>
        bench.pool.query<{ state: string; amount_usd: string; actual_usd: string | null }>(
          'select state, amount_usd, actual_usd from cost_reservations where story_uid = $1',
          [run.metadata.uid],
        );
      const held = await eventually('the agent call to be in flight', async () => {
        const { rows } = await reservations();
        return rows.length === 1 && rows[0]!.state === 'reserved' ? rows[0] : undefined;
      });
      first.child.kill('SIGKILL');
      await first.exited;
      process.kill(-Number(readFileSync(`${file}.pid`, 'utf8')), 'SIGKILL'); // the agent's group, orphaned with its pod
      const worst = Number(held!.amount_usd);
      assert.ok(worst > (1000 * 15) / 1e6, `the worst case ${worst} covers max_tokens of output at least`);

      await new Promise((r) => setTimeout(r, ttl * 1000 + 500));
      const { expireReservations } = await import('@nightshift/crds/ledger');
      assert.equal(await expireReservations(bench.pool), 1);
      const { rows } = await reservations();
      assert.deepEqual(rows, [{ state: 'unconfirmed', amount_usd: held!.amount_usd, actual_usd: held!.amount_usd }]);

      const second = await runAttempt({
        bench,
        run,
        attempt: 2,
        workspace,
        env: { [RUNNER_ENV.agentApiKey]: PROVIDER_KEY },
      });
      const session = await sessionRow(bench.pool, second.sessionId);
      assert.equal(session.outcome, 'Succeeded', second.output());
      assert.ok(Math.abs(Number(session.cost_usd) - (worst + PER_CALL)) < 1e-6, 'the unconfirmed charge counts');
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });
});
