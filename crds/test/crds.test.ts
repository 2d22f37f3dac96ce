// The API on a real API server: the CRDs install, the examples apply, invalid
// resources are refused with their CEL message, and kubectl prints the columns.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, installCRDs, localCluster, testNamespace } from '../../hack/test/harness.ts';

const examplesDir = join(REPO_ROOT, 'examples');

describe('nightshift.dev CRDs on the local cluster', function () {
  let namespace: string;
  let kubectl: Awaited<ReturnType<typeof localCluster>>['kubectl'];

  before(async function () {
    this.timeout(30 * 60_000); // first run builds the cluster
    ({ kubectl } = await localCluster());
    await installCRDs();
    namespace = await testNamespace('crds');
  });

  it('installs all three kinds in the nightshift category with short names', async () => {
    const resources = await kubectl(['api-resources', '--api-group=nightshift.dev', '-o', 'wide']);
    assert.match(resources, /storyruns\s+sr\s+nightshift\.dev\/v1alpha1\s+true\s+StoryRun/);
    assert.match(resources, /workqueues\s+wq\s+nightshift\.dev\/v1alpha1\s+true\s+WorkQueue/);
    assert.match(resources, /budgets\s+nsb\s+nightshift\.dev\/v1alpha1\s+true\s+Budget/);
    assert.match(resources, /nightshift/);
  });

  it('applies every valid example and lists them all under `kubectl get nightshift`', async () => {
    for (const file of ['storyrun.yaml', 'workqueue.yaml', 'budget.yaml']) {
      await kubectl(['apply', '-n', namespace, '-f', join(examplesDir, file)]);
    }
    const all = await kubectl(['get', 'nightshift', '-n', namespace, '-o', 'name']);
    assert.deepEqual(all.trim().split('\n').sort(), [
      'budget.nightshift.dev/team-budget',
      'storyrun.nightshift.dev/hello-greeting',
      'workqueue.nightshift.dev/nightly',
    ]);
  });

  it('applies the defaults from the schema at the API server', async () => {
    const storyRun = JSON.parse(await kubectl(['get', 'storyrun', 'hello-greeting', '-n', namespace, '-o', 'json']));
    assert.equal(storyRun.spec.pauseMode, 'Graceful');
    assert.equal(storyRun.spec.paused, false);
    assert.deepEqual(storyRun.spec.abort, { requested: false, keepWork: false });
    assert.equal(storyRun.spec.priority, 0);
  });

  it('explains the fields people patch (kubectl explain)', async () => {
    for (const field of ['storyrun.spec', 'storyrun.spec.abort', 'storyrun.spec.agent', 'storyrun.spec.decisions']) {
      const text = await kubectl(['explain', field]);
      assert.doesNotMatch(text, /<no description>|<empty>/, `${field}:\n${text}`);
    }
    assert.match(await kubectl(['explain', 'storyrun.spec.paused']), /resumes it from its\s+checkpoint/);
  });

  it('prints the StoryRun, WorkQueue and Budget columns', async () => {
    const storyRuns = (await kubectl(['get', 'storyruns', '-n', namespace])).split('\n')[0]!;
    assert.match(storyRuns, /^NAME\s+PHASE\s+STEP\s+QUEUE\s+COST\s+PR\s+AGE$/);
    const queues = (await kubectl(['get', 'wq', '-n', namespace])).split('\n');
    assert.match(queues[0]!, /^NAME\s+RUNNING\s+QUEUED\s+MAX\s+NEXT\s+STATE\s+AGE$/);
    assert.match(queues[1]!, /^nightly\s+2\s+/);
    const budgets = (await kubectl(['get', 'budgets', '-n', namespace])).split('\n')[0]!;
    assert.match(budgets, /^NAME\s+TODAY\s+WEEK\s+RESERVED\s+STATE\s+RESETSAT\s+AGE$/);
  });

  const invalid = readdirSync(join(examplesDir, 'invalid')).filter((f) => f.endsWith('.yaml'));
  for (const file of invalid) {
    it(`refuses examples/invalid/${file} with its validation message`, async () => {
      const text = readFileSync(join(examplesDir, 'invalid', file), 'utf8');
      const expected = /^# expect-error: (.+)$/m.exec(text)?.[1];
      assert.ok(expected, `${file} must say what error it expects`);
      await assert.rejects(kubectl(['apply', '-n', namespace, '-f', '-'], { input: text }), (error: Error) => {
        assert.ok(error.message.includes(expected), `expected "${expected}" in: ${error.message}`);
        return true;
      });
    });
  }

  it('accepts a schedule window that crosses midnight', async () => {
    await kubectl(['apply', '-n', namespace, '-f', '-'], {
      input:
        'apiVersion: nightshift.dev/v1alpha1\nkind: WorkQueue\nmetadata: {name: overnight}\nspec:\n  schedule:\n    windows: [{start: "22:00", end: "06:00"}]\n',
    });
  });

  it('keeps the story immutable and an abort final', async () => {
    await assert.rejects(
      kubectl([
        'patch',
        'storyrun',
        'hello-greeting',
        '-n',
        namespace,
        '--type=merge',
        '-p',
        '{"spec":{"story":{"title":"changed"}}}',
      ]),
      /spec.story is immutable/,
    );
    await kubectl([
      'patch',
      'storyrun',
      'hello-greeting',
      '-n',
      namespace,
      '--type=merge',
      '-p',
      '{"spec":{"abort":{"requested":true}}}',
    ]);
    await assert.rejects(
      kubectl([
        'patch',
        'storyrun',
        'hello-greeting',
        '-n',
        namespace,
        '--type=merge',
        '-p',
        '{"spec":{"abort":{"requested":false}}}',
      ]),
      /an abort cannot be withdrawn once requested/,
    );
  });
});
