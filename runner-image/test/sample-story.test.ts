// The sample story (examples/storyrun.yaml) run end to end by the real runner
// process: cloned from the forge stand-in over git smart HTTP, changed by the
// scripted agent, verified with `npm test`, pushed, and delivered as a draft
// pull request through Octokit — with everything recorded in Postgres.
import assert from 'node:assert/strict';
import pg from 'pg';
import { NOTIFY_CHANNELS, RUNNER_ENV, RUNNER_EXIT } from '@nightshift/crds/contract';
import { branchHead, readFileAt, repositoryPath } from '../../hack/stand-ins/forge.ts';
import { git } from '../../hack/stand-ins/repositories.ts';
import {
  createSession,
  eventsOf,
  FORGE_TOKEN,
  RUNNER_MAIN,
  runAttempt,
  sampleStoryRun,
  sessionRow,
  startBench,
  stepEvents,
  workspaceIn,
  type Bench,
} from './support.ts';

describe('runner: the sample story', function () {
  let bench: Bench;
  before(async () => (bench = await startBench('sample')));
  after(() => bench?.close());

  it('succeeds with a commit on nightshift/DEMO-1, a draft pull request and complete records', async () => {
    const run = sampleStoryRun(bench.forge);
    const listener = new pg.Client({ connectionString: bench.databaseURL });
    await listener.connect();
    const notifications: string[] = [];
    listener.on('notification', (n) => notifications.push(`${n.channel} ${n.payload}`));
    await listener.query(`LISTEN ${NOTIFY_CHANNELS.story}`);
    const runner = await runAttempt({ bench, run, attempt: 1, workspace: workspaceIn(bench, 'sample') });
    await listener.end();
    assert.ok(notifications.length >= 3, 'the operator was notified of each change');
    assert.deepEqual(new Set(notifications), new Set([`${NOTIFY_CHANNELS.story} default/hello-greeting`]));

    const session = await sessionRow(bench.pool, runner.sessionId);
    assert.equal(session.outcome, 'Succeeded', runner.output());
    const pull = bench.forge.pulls[0]!;
    assert.equal(bench.forge.pulls.length, 1);
    assert.deepEqual(session.outcome_detail, {
      pullRequest: { url: `${bench.forge.url}/demo/hello/pull/1`, number: 1 },
      confidence: 0.97,
    });
    assert.ok(session.runner_started_at && session.heartbeat_at && session.ended_at);
    assert.equal(session.step, 'deliver');
    assert.equal(Number(session.cost_usd), 0);
    assert.deepEqual(JSON.parse(runner.terminationLog()).outcome, 'Succeeded');
    assert.ok(!runner.output().includes(FORGE_TOKEN), 'the git token never reaches a log line');
    for (const line of runner.output().trim().split('\n')) JSON.parse(line); // structured logs only

    // The branch in the forge's bare repository: one commit on main, by Nightshift, with the change.
    const bare = repositoryPath(`${bench.dir}/forge`, 'demo/hello');
    const head = await branchHead(bare, 'nightshift/DEMO-1');
    assert.ok(head, 'nightshift/DEMO-1 was pushed');
    assert.equal((await git(bare, ['rev-list', '--count', 'main..nightshift/DEMO-1'])).trim(), '1');
    assert.equal(
      (await git(bare, ['log', '-1', '--format=%an <%ae>', head])).trim(),
      'Nightshift <nightshift@localhost>',
    );
    assert.match(await readFileAt(bare, head, 'greeting.js'), /return `Hello, \$\{name\}!`;/);

    // The draft pull request, as the forge recorded it, with a description worth reading.
    assert.equal(pull.draft, true);
    assert.equal(pull.head, 'nightshift/DEMO-1');
    assert.equal(pull.base, 'main');
    assert.equal(pull.headSha, head);
    assert.equal(pull.title, 'DEMO-1: Greet by name');
    for (const part of [
      'greeting(\'Ada\') returns "Hello, Ada!"',
      'greeting.js',
      '`npm test` **passed** on attempt 1 of 3',
      '## Confidence 0.97 (threshold 0.80)',
      '## Cost',
      'http://dashboard.test/runs/default/hello-greeting',
    ]) {
      assert.ok(pull.body?.includes(part), `the description mentions ${part}:\n${pull.body}`);
    }
    const review = await bench.pool.query('select * from pr_review_queue where story_uid = $1', [run.metadata.uid]);
    assert.equal(review.rows.length, 1);
    assert.equal(review.rows[0].number, 1);
    assert.equal(review.rows[0].head_branch, 'nightshift/DEMO-1');
    assert.equal(Number(review.rows[0].confidence), 0.97);

    // Every step ran once, in order, and the facts were recorded.
    const finished = (await eventsOf(bench.pool, run.metadata.uid, 'StepFinished')).map((e) => e.message);
    assert.deepEqual(finished, [
      'plan',
      'implement',
      'commit',
      'verify',
      'review',
      'gate',
      'rebase',
      'push',
      'open_pull_request',
    ]);
    assert.equal((await stepEvents(bench.pool, run.metadata.uid, 'plan', 'StepStarted')).length, 1);
    const types = new Set((await eventsOf(bench.pool, run.metadata.uid)).map((e) => e.type));
    for (const type of [
      'RunnerStarted',
      'WorktreeReady',
      'Committed',
      'FileChanged',
      'VerifyResult',
      'GateResult',
      'BranchPushed',
      'PullRequestOpened',
      'RunnerFinished',
    ]) {
      assert.ok(types.has(type), `a ${type} event was written`);
    }
  });
});

describe('runner: configuration errors', function () {
  async function runWith(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [RUNNER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, stderr };
  }

  it('exits 2 with a message naming the variable', async () => {
    const { code, stderr } = await runWith({
      PATH: process.env.PATH,
      [RUNNER_ENV.mode]: 'run',
      [RUNNER_ENV.attempt]: 'first',
    });
    assert.equal(code, RUNNER_EXIT.invalidEnvironment);
    for (const variable of [RUNNER_ENV.sessionId, RUNNER_ENV.attempt, RUNNER_ENV.databaseURL]) {
      assert.ok(stderr.includes(variable), `names ${variable}: ${stderr}`);
    }
  });

  it('exits 2 naming the record and the field when the StoryRun snapshot does not parse', async () => {
    const bench = await startBench('bad_snapshot');
    try {
      const run = sampleStoryRun(bench.forge);
      const sessionId = await createSession(bench.pool, { ...run, spec: { ...run.spec, priority: 'high' } }, 1);
      const { code, stderr } = await runWith({
        PATH: process.env.PATH,
        [RUNNER_ENV.sessionId]: sessionId,
        [RUNNER_ENV.attempt]: '1',
        [RUNNER_ENV.mode]: 'run',
        [RUNNER_ENV.databaseURL]: bench.databaseURL,
      });
      assert.equal(code, RUNNER_EXIT.invalidEnvironment, stderr);
      assert.match(stderr, new RegExp(`execution_sessions\\.storyrun of row ${sessionId} \\(at spec\\.priority\\)`));
      assert.equal((await sessionRow(bench.pool, sessionId)).runner_started_at, null, 'no work started');
    } finally {
      await bench.close();
    }
  });
});
