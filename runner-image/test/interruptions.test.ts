// A pod can end at any moment. Killed (SIGKILL) mid-step, the next process
// resumes at the last finished step and never redoes one; stopped (SIGTERM),
// the runner lets the step in flight finish, records Paused/Stopped and exits
// 0; aborted with keepWork, salvage mode pushes the work in progress.
import { RUNNER_ENV } from '@nightshift/crds/contract';
import assert from 'node:assert/strict';
import { branchHead, readFileAt, repositoryPath } from '../../hack/stand-ins/forge.ts';
import { git } from '../../hack/stand-ins/repositories.ts';
import { eventually } from '../../hack/test/harness.ts';
import {
  eventsOf,
  runAttempt,
  sampleStoryRun,
  sessionRow,
  startBench,
  startRunner,
  stepEvents,
  workspaceIn,
  type Bench,
  type StoryRunJSON,
} from './support.ts';

function slowStory(bench: Bench, id: string, slow: string): StoryRunJSON {
  const sample = sampleStoryRun(bench.forge);
  return sampleStoryRun(bench.forge, {
    name: id.toLowerCase(),
    story: { id, description: `${sample.spec.story.description}\n\`\`\`nightshift\nslow: ${slow}\n\`\`\`\n` },
  });
}

async function untilSlowStep(bench: Bench, run: StoryRunJSON, sessionId: string): Promise<void> {
  await eventually('the scripted slow step to start', async () => {
    const events = await eventsOf(bench.pool, run.metadata.uid, 'SlowStep');
    return events.some((e) => e.session_id === sessionId) || undefined;
  });
}

describe('runner: interrupted pods', function () {
  let bench: Bench;
  before(async () => (bench = await startBench('interrupt')));
  after(() => bench?.close());

  it('resumes after SIGKILL mid-implement without redoing finished steps', async () => {
    const run = slowStory(bench, 'KILL-1', 'implement 120s attempt=1');
    const workspace = workspaceIn(bench, 'kill');
    const first = await startRunner({ bench, run, attempt: 1, workspace });
    await untilSlowStep(bench, run, first.sessionId);
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    assert.equal((await sessionRow(bench.pool, first.sessionId)).outcome, null, 'a killed pod records nothing');

    const second = await runAttempt({ bench, run, attempt: 2, workspace });
    assert.equal((await sessionRow(bench.pool, second.sessionId)).outcome, 'Succeeded', second.output());

    const uid = run.metadata.uid;
    const ready = await eventsOf(bench.pool, uid, 'WorktreeReady');
    assert.deepEqual(
      ready.map((e) => e.data.reused),
      [false, true],
      'the second pod reused the worktree',
    );
    assert.equal((await stepEvents(bench.pool, uid, 'plan', 'StepStarted')).length, 1, 'plan ran once');
    assert.equal((await stepEvents(bench.pool, uid, 'plan', 'StepFinished')).length, 1);
    const implementStarts = await stepEvents(bench.pool, uid, 'implement', 'StepStarted');
    assert.deepEqual(
      implementStarts.map((e) => e.session_id),
      [first.sessionId, second.sessionId],
      'the cut implement step was redone by the second pod, from its start',
    );
    const secondSteps = (await eventsOf(bench.pool, uid, 'StepStarted')).filter(
      (e) => e.session_id === second.sessionId,
    );
    assert.equal(secondSteps[0]?.message, 'implement', 'the second pod started at the step that was cut');

    const bare = repositoryPath(`${bench.dir}/forge`, 'demo/hello');
    assert.equal((await git(bare, ['rev-list', '--count', 'main..nightshift/KILL-1'])).trim(), '1', 'one commit');
    assert.equal(bench.forge.pulls.filter((p) => p.head === 'nightshift/KILL-1').length, 1, 'one pull request');
    assert.equal((await eventsOf(bench.pool, uid, 'Committed')).length, 1);
  });

  it('finishes the step in flight on SIGTERM, records Paused/Stopped, exits 0; the next pod completes', async () => {
    const run = slowStory(bench, 'TERM-1', 'implement 4s attempt=1');
    const workspace = workspaceIn(bench, 'term');
    const first = await startRunner({
      bench,
      run,
      attempt: 1,
      workspace,
      env: { [RUNNER_ENV.heartbeatSeconds]: '0.5' },
    });
    await untilSlowStep(bench, run, first.sessionId);
    first.child.kill('SIGTERM');
    assert.equal((await first.exited).code, 0, first.output());

    const stopped = await sessionRow(bench.pool, first.sessionId);
    assert.equal(stopped.outcome, 'Paused');
    assert.equal(stopped.outcome_detail?.reason, 'Stopped');
    const uid = run.metadata.uid;
    const implementDone = await stepEvents(bench.pool, uid, 'implement', 'StepFinished');
    assert.deepEqual(
      implementDone.map((e) => e.session_id),
      [first.sessionId],
      'the step in flight finished in the stopped pod',
    );
    const startedInFirst = (await eventsOf(bench.pool, uid, 'StepStarted'))
      .filter((e) => e.session_id === first.sessionId)
      .map((e) => e.message);
    assert.deepEqual(startedInFirst, ['plan', 'implement'], 'no step started after SIGTERM');
    const beats = (await eventsOf(bench.pool, uid, 'Heartbeat')).filter((e) => e.session_id === first.sessionId);
    assert.ok(beats.length >= 3, `heartbeats kept coming during the slow step (${beats.length})`);
    assert.ok(stopped.heartbeat_at! > stopped.runner_started_at!);

    const second = await runAttempt({ bench, run, attempt: 2, workspace });
    assert.equal((await sessionRow(bench.pool, second.sessionId)).outcome, 'Succeeded', second.output());
    const startedInSecond = (await eventsOf(bench.pool, uid, 'StepStarted'))
      .filter((e) => e.session_id === second.sessionId)
      .map((e) => e.message);
    assert.deepEqual(startedInSecond, ['commit', 'verify', 'review', 'gate', 'rebase', 'push', 'open_pull_request']);
  });

  it('salvage mode commits the work in progress and pushes the branch', async () => {
    const run = slowStory(bench, 'SALVAGE-1', 'implement 120s');
    const workspace = workspaceIn(bench, 'salvage');
    const first = await startRunner({ bench, run, attempt: 1, workspace });
    await untilSlowStep(bench, run, first.sessionId); // greeting.js is written, not committed
    first.child.kill('SIGKILL');
    await first.exited;

    const salvage = await runAttempt({ bench, run, attempt: 2, workspace, mode: 'salvage' });
    const row = await sessionRow(bench.pool, salvage.sessionId);
    assert.equal(row.outcome, 'Salvaged', salvage.output());
    assert.deepEqual(row.outcome_detail, { branch: 'nightshift/SALVAGE-1', pushed: true });

    const bare = repositoryPath(`${bench.dir}/forge`, 'demo/hello');
    const head = await branchHead(bare, 'nightshift/SALVAGE-1');
    assert.ok(head, 'the branch was pushed');
    assert.match((await git(bare, ['log', '-1', '--format=%s', head])).trim(), /^WIP: SALVAGE-1: Greet by name$/);
    assert.match(await readFileAt(bare, head, 'greeting.js'), /Hello, \$\{name\}!/);
    assert.equal(bench.forge.pulls.filter((p) => p.head === 'nightshift/SALVAGE-1').length, 0, 'no pull request');
  });
});
