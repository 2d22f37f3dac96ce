// Parallel stories on one repository: at delivery the branch is rebased onto
// the base as it is then. Here another change to the same file lands on main
// while the story waits for a human; the rebase conflicts, and instead of
// failing, the story asks a human with the conflicting files in the context.
// "deliver" pushes the branch as it is and opens the draft pull request.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryPath } from '../../hack/stand-ins/forge.ts';
import { eventsOf, runAttempt, sampleStoryRun, sessionRow, startBench, workspaceIn, type Bench } from './support.ts';

const fence = '```';
const STORY = `
${fence}ask
question: Go ahead with the greeting change?
options: yes, no
${fence}

${fence}write greeting.js
export function greeting(name = 'world') {
  return \`Hello, \${name}!\`;
}
${fence}
`;

describe('runner: rebase at delivery', function () {
  let bench: Bench;
  before(async () => (bench = await startBench('rebase')));
  after(() => bench?.close());

  const answer = (id: string, choice: string) =>
    bench.pool.query(`update decision_queue set answered_at = now(), choice = $2, answered_by = 'test' where id = $1`, [
      id,
      choice,
    ]);

  it('a real conflict with a moved base becomes a decision naming the files; deliver opens the pull request', async () => {
    const run = sampleStoryRun(bench.forge, { name: 'rebase-1', story: { id: 'REBASE-1', description: STORY } });
    const workspace = workspaceIn(bench, 'rebase');
    const first = await runAttempt({ bench, run, attempt: 1, workspace });
    const asked = await sessionRow(bench.pool, first.sessionId);
    assert.equal(asked.outcome, 'WaitingForHuman', first.output());

    // Another story's change to the same file lands on main meanwhile.
    const scratch = mkdtempSync(join(bench.dir, 'other-'));
    execFileSync('git', ['clone', '--quiet', repositoryPath(join(bench.dir, 'forge'), 'demo/hello'), scratch]);
    writeFileSync(join(scratch, 'greeting.js'), 'export const greeting = (name) => `Hi ${name}`;\n');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=Other', '-c', 'user.email=o@localhost', ...args], { cwd: scratch });
    git('commit', '--quiet', '-am', 'another story');
    git('push', '--quiet', 'origin', 'HEAD:main');

    await answer(asked.outcome_detail?.decisionId as string, 'yes');
    const second = await runAttempt({ bench, run, attempt: 2, workspace });
    const conflicted = await sessionRow(bench.pool, second.sessionId);
    assert.equal(conflicted.outcome, 'WaitingForHuman', `a conflict is a question, not a failure:\n${second.output()}`);
    const { rows } = await bench.pool.query('select * from decision_queue where id = $1', [
      conflicted.outcome_detail?.decisionId,
    ]);
    assert.equal(rows[0].step, 'deliver');
    assert.deepEqual(rows[0].options, ['retry', 'deliver', 'abort']);
    assert.match(rows[0].context, /`greeting\.js`/);
    assert.equal(bench.forge.pulls.filter((p) => p.head === 'nightshift/REBASE-1').length, 0, 'nothing delivered yet');

    await answer(rows[0].id, 'deliver');
    const third = await runAttempt({ bench, run, attempt: 3, workspace });
    assert.equal((await sessionRow(bench.pool, third.sessionId)).outcome, 'Succeeded', third.output());
    assert.ok(bench.forge.pulls.some((p) => p.head === 'nightshift/REBASE-1' && p.draft));
    assert.equal(
      (await eventsOf(bench.pool, run.metadata.uid, 'Rebased')).length,
      0,
      'not rebased: delivered as it was',
    );
  });

  it('a base that moved without conflict is rebased onto before the push', async () => {
    const run = sampleStoryRun(bench.forge, { name: 'rebase-2', story: { id: 'REBASE-2', description: STORY } });
    const workspace = workspaceIn(bench, 'rebase-2');
    const first = await runAttempt({ bench, run, attempt: 1, workspace });
    const asked = await sessionRow(bench.pool, first.sessionId);
    const scratch = mkdtempSync(join(bench.dir, 'other-'));
    execFileSync('git', ['clone', '--quiet', repositoryPath(join(bench.dir, 'forge'), 'demo/hello'), scratch]);
    writeFileSync(join(scratch, 'NOTES.md'), 'unrelated\n');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=Other', '-c', 'user.email=o@localhost', ...args], { cwd: scratch });
    git('add', '-A');
    git('commit', '--quiet', '-m', 'an unrelated story');
    git('push', '--quiet', 'origin', 'HEAD:main');

    await answer(asked.outcome_detail?.decisionId as string, 'yes');
    const second = await runAttempt({ bench, run, attempt: 2, workspace });
    assert.equal((await sessionRow(bench.pool, second.sessionId)).outcome, 'Succeeded', second.output());
    assert.equal((await eventsOf(bench.pool, run.metadata.uid, 'Rebased')).length, 1);
  });
});
