// The cli backend runs an external agent command in the worktree with the
// story on stdin, and charges the cost it reports on stdout
// ({"nightshift_cost": ...}) against the story's cap. Its run reserves all
// that is left of the cap, so a pod that died mid-run must not keep holding it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

// A stand-in for a headless coding agent: reads the task, makes the change, reports cost and confidence.
const AGENT = `
import { readFileSync, writeFileSync } from 'node:fs';
const task = readFileSync(0, 'utf8');
if (!task.includes('Greet by name')) { console.error('no story on stdin'); process.exit(3); }
if (process.env.DATABASE_URL || process.env.NIGHTSHIFT_GIT_TOKEN) { console.error('leaked secrets'); process.exit(4); }
writeFileSync('greeting.js', "export function greeting(name = 'world') {\\n  return \`Hello, \${name}!\`;\\n}\\n");
console.log('thinking...');
console.log(JSON.stringify({ nightshift_cost: { usd: 0.0125, input_tokens: 2000, output_tokens: 300, model: 'some-model' } }));
console.log(JSON.stringify({ nightshift_cost: { usd: 0.0075 } }));
console.log(JSON.stringify({ nightshift_confidence: 0.85 }));
console.log(JSON.stringify({ nightshift_summary: 'greeting() uses its argument' }));
`;

// The first time (no marker yet) it writes its pid to the marker and hangs, as an agent would when its pod dies
// mid-run; later it is AGENT.
const HANGS_ONCE = `
import { existsSync, writeFileSync } from 'node:fs';
const [marker, agent] = process.argv.slice(2);
if (existsSync(marker)) await import(agent);
else { writeFileSync(marker, String(process.pid)); setInterval(() => {}, 1000); }
`;

describe('runner: the cli backend', function () {
  let bench: Bench;
  before(async () => (bench = await startBench('cli')));
  after(() => bench?.close());

  it('runs the command in the worktree and settles the cost it reports', async () => {
    const script = join(bench.dir, 'agent.mjs');
    writeFileSync(script, AGENT);
    const run = sampleStoryRun(bench.forge, {
      name: 'cli-1',
      story: { id: 'CLI-1', description: 'The greeting should use the name it is given.' },
      spec: { agent: { backend: 'cli', command: [process.execPath, script], maxTurns: 30, maxTokensPerCall: 4096 } },
    });
    const runner = await runAttempt({ bench, run, attempt: 1, workspace: workspaceIn(bench, 'cli') });
    const session = await sessionRow(bench.pool, runner.sessionId);
    assert.equal(session.outcome, 'Succeeded', runner.output());
    assert.equal(Number(session.cost_usd), 0.02);
    // tests 0.45 + review "none" 0.6 x 0.25 + self 0.85 x 0.3
    assert.equal(session.outcome_detail?.confidence, 0.855);
    const calls = await eventsOf(bench.pool, run.metadata.uid, 'AgentCall');
    assert.deepEqual(
      calls.map((c) => c.data.costUSD),
      [0.0125, 0.0075],
    );
    const bare = repositoryPath(`${bench.dir}/forge`, 'demo/hello');
    assert.match(await readFileAt(bare, (await branchHead(bare, 'nightshift/CLI-1'))!, 'greeting.js'), /\$\{name\}/);
  });

  it("gets the story's cap back at the next start when a pod died mid-run holding all of it", async () => {
    const script = join(bench.dir, 'agent.mjs');
    const hangsOnce = join(bench.dir, 'hangs-once.mjs');
    const marker = join(bench.dir, 'cli-2.pid');
    writeFileSync(script, AGENT);
    writeFileSync(hangsOnce, HANGS_ONCE);
    const run = sampleStoryRun(bench.forge, {
      name: 'cli-2',
      story: { id: 'CLI-2', description: 'The greeting should use the name it is given.' },
      spec: {
        maxCostUSD: 1,
        agent: { backend: 'cli', command: [process.execPath, hangsOnce, marker, script], maxTurns: 30 },
      },
    });
    const workspace = workspaceIn(bench, 'cli-2');
    const first = await startRunner({ bench, run, attempt: 1, workspace });
    await eventually('the cli agent to start', () => existsSync(marker) || undefined);
    first.child.kill('SIGKILL');
    await first.exited;
    process.kill(-Number(readFileSync(marker, 'utf8')), 'SIGKILL'); // the agent's process group, orphaned with its pod
    const reservations = () =>
      bench.pool.query<{ session_id: string; state: string; amount_usd: string }>(
        'select session_id, state, amount_usd from cost_reservations where story_uid = $1',
        [run.metadata.uid],
      );
    assert.deepEqual(
      (await reservations()).rows,
      [{ session_id: first.sessionId, state: 'reserved', amount_usd: '1.000000' }],
      'the dead pod holds the whole cap, for the reservation TTL',
    );

    const second = await runAttempt({ bench, run, attempt: 2, workspace });
    const session = await sessionRow(bench.pool, second.sessionId);
    assert.equal(session.outcome, 'Succeeded', second.output());
    assert.equal(Number(session.cost_usd), 0.02);
    assert.equal((await reservations()).rows.find((r) => r.session_id === first.sessionId)?.state, 'expired');
  });
});
