// Zero overshoot under concurrency: 20 processes running the runner's metering
// stack (metering proxy → cost meter → shared ledger → the loopback Anthropic
// stand-in) spend against one $1 daily Budget with calls of random size until
// each is refused; in every one of 50 trials the settled spend is at most
// $1.000000 and nothing is left reserved. Then the same with 20 whole runner
// processes (src/main.ts, the cli backend through the proxy) at once.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { RUNNER_ENV } from '@nightshift/crds/contract';
import { startAnthropicStandIn, type ModelServer } from '../../hack/stand-ins/anthropic.ts';
import { REPO_ROOT } from '../../hack/test/harness.ts';
import { runAttempt, sampleStoryRun, sessionRow, startBench, workspaceIn, type Bench } from './support.ts';

const PROCESSES = 20;
const TRIALS = 50;
const KEY = 'sk-provider-concurrency-0123456789';
const CALLER = join(REPO_ROOT, 'runner-image', 'test', 'fixtures', 'metered-caller.ts');

describe('runner: a Budget shared by many processes never overshoots', function () {
  this.timeout(30 * 60_000);
  let bench: Bench;
  let model: ModelServer;
  before(async () => {
    bench = await startBench('concurrency');
    model = await startAnthropicStandIn({
      apiKey: KEY,
      // What the provider reports: some of the call's bound, at random.
      script: (request) => ({
        text: 'ok',
        usage: {
          input_tokens: Math.ceil(JSON.stringify(request.body.messages).length / 4),
          output_tokens: Math.floor(Math.random() * Number(request.body.max_tokens)),
        },
      }),
    });
  });
  after(async () => {
    await model?.close();
    await bench?.close();
  });

  async function dailyBudget(key: string, limit: number) {
    const [namespace, name] = key.split('/');
    await bench.pool.query(
      `insert into budgets (key, namespace, name, timezone, week_starts_on, daily_limit_usd, weekly_limit_usd)
       values ($1, $2, $3, 'Europe/Berlin', 'Monday', $4, null)`,
      [key, namespace, name, limit],
    );
  }
  async function session(storyUid: string): Promise<string> {
    const id = randomUUID();
    await bench.pool.query(
      `insert into execution_sessions (id, story_uid, namespace, name, story_id, attempt, pod_name, budget_keys)
       values ($1, $2, 'team', 'story', 'S', 1, 'pod', $3)`,
      [id, storyUid, []],
    );
    return id;
  }
  async function verify(key: string, what: string) {
    const { rows } = await bench.pool.query(
      `select id, spent_usd, reserved_usd, limit_usd from budget_windows where scope = 'daily' and scope_key = $1`,
      [key],
    );
    assert.equal(rows.length, 1, `${what}: one daily window`);
    const settled = await bench.pool.query(
      `select coalesce(sum(actual_usd), 0)::text as total, count(*) filter (where state = 'reserved')::int as open
         from cost_reservations where $1 = any(window_ids)`,
      [rows[0].id],
    );
    assert.equal(settled.rows[0].open, 0, `${what}: no reservation left`);
    assert.ok(Number(rows[0].spent_usd) <= 1, `${what}: the window spent ${rows[0].spent_usd} <= 1.000000`);
    assert.ok(Number(settled.rows[0].total) <= 1, `${what}: settled ${settled.rows[0].total} <= 1.000000`);
    assert.equal(settled.rows[0].total, rows[0].spent_usd, `${what}: the window is the sum of its settlements`);
    assert.equal(Number(rows[0].reserved_usd), 0, `${what}: nothing held`);
    return Number(rows[0].spent_usd);
  }

  it(`20 metering processes, ${TRIALS} trials against a $1 day: at most $1.000000 settled in every one`, async () => {
    const callers: { child: ChildProcess; lines: Interface; next: () => Promise<string> }[] = [];
    for (let i = 0; i < PROCESSES; i++) {
      const child = spawn(process.execPath, [CALLER, bench.databaseURL, model.baseURL, KEY], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const lines = createInterface({ input: child.stdout! });
      const queue: string[] = [];
      const waiting: ((line: string) => void)[] = [];
      lines.on('line', (line) => (waiting.shift() ?? ((l: string) => queue.push(l)))(line));
      callers.push({
        child,
        lines,
        next: () => new Promise((resolve) => (queue.length ? resolve(queue.shift()!) : waiting.push(resolve))),
      });
    }
    try {
      const spent: number[] = [];
      let calls = 0;
      for (let t = 0; t < TRIALS; t++) {
        const key = `team/trial-${t}`;
        await dailyBudget(key, 1);
        const answers = await Promise.all(
          callers.map(async (c) => {
            const story = randomUUID();
            c.child.stdin!.write(`${story} ${await session(story)} ${key}\n`);
            return c.next();
          }),
        );
        for (const a of answers) {
          const [word, n, scope] = a.split(' ');
          assert.equal(word, 'done', `trial ${t}: ${a}`);
          assert.equal(scope, 'daily', `trial ${t}: each caller stopped at the Budget's day`);
          calls += Number(n);
        }
        spent.push(await verify(key, `trial ${t}`));
      }
      assert.ok(calls > TRIALS * 5, `${calls} calls were made`);
      console.log(
        `      ${TRIALS} trials × ${PROCESSES} processes: ${calls} calls; settled per day $${Math.min(...spent).toFixed(6)} … $${Math.max(...spent).toFixed(6)}`,
      );
      assert.ok(
        spent.every((s) => s > 0.9),
        `each day was spent nearly to the limit, not refused early: ${Math.min(...spent)}`,
      );
    } finally {
      for (const c of callers) {
        c.child.stdin!.end();
        c.lines.close();
      }
    }
  });

  it('20 whole runner processes (the cli backend through the proxy) at once against a $1 day', async () => {
    const key = 'default/runners';
    await dailyBudget(key, 1);
    const agent = join(bench.dir, 'agent.mjs');
    writeFileSync(
      agent,
      `import { writeFileSync } from 'node:fs';
       for (;;) {
         const res = await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', {
           method: 'POST',
           headers: { 'content-type': 'application/json', 'x-api-key': process.env.ANTHROPIC_API_KEY, 'anthropic-version': '2023-06-01' },
           body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 500 + Math.floor(Math.random() * 500), messages: [{ role: 'user', content: 'work '.repeat(300) }] }),
         });
         await res.text();
         if (res.status !== 200) break;
       }
       writeFileSync('greeting.js', 'export const greeting = (name) => name;\\n');`,
    );
    const runs = Array.from({ length: PROCESSES }, (_, i) =>
      sampleStoryRun(bench.forge, {
        name: `runner-${i}`,
        story: { id: `RUNNER-${i}` },
        spec: {
          agent: {
            backend: 'cli',
            command: [process.execPath, agent],
            provider: 'anthropic',
            model: 'claude-sonnet-4-5',
            baseURL: model.baseURL,
            maxTurns: 30,
            maxTokensPerCall: 1000,
          },
        },
      }),
    );
    const results = await Promise.all(
      runs.map(async (run) => {
        const runner = await runAttempt({
          bench,
          run,
          attempt: 1,
          workspace: workspaceIn(bench, run.metadata.name),
          env: { [RUNNER_ENV.agentApiKey]: KEY },
          budgetKeys: [key],
        });
        return sessionRow(bench.pool, runner.sessionId);
      }),
    );
    for (const r of results) {
      assert.equal(r.outcome, 'Paused');
      assert.equal(r.outcome_detail?.scope, 'daily');
    }
    const spent = await verify(key, '20 runners');
    assert.ok(spent > 0.9, `spent ${spent}`);
  });
});
