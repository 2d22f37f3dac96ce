// The cli backend runs an external agent command in the worktree with the
// story on stdin, and charges the cost it reports on stdout
// ({"nightshift_cost": ...}) against the story's cap.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { branchHead, readFileAt, repositoryPath } from '../../hack/stand-ins/forge.ts';
import { eventsOf, runAttempt, sampleStoryRun, sessionRow, startBench, workspaceIn, type Bench } from './support.ts';

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
});
