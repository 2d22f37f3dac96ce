// The plugin as people run it: `kubectl nightshift …` through the cluster's
// own kubectl (which finds kubectl-nightshift on PATH), against the real API
// server. No operator runs here: what the plugin does is the spec patch, and
// what the operator does with it is tested with the operator.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { installCRDs, localCluster, testNamespace } from '../../../hack/test/harness.ts';

const PLUGIN = new URL('../kubectl-nightshift.ts', import.meta.url).pathname;

describe('kubectl nightshift (the plugin, on the local cluster)', function () {
  this.timeout(120_000);
  let cluster: Awaited<ReturnType<typeof localCluster>>;
  let namespace: string;
  let pluginDir: string;

  before(async function () {
    this.timeout(30 * 60_000);
    cluster = await localCluster();
    await installCRDs();
    namespace = await testNamespace('plugin');
    pluginDir = mkdtempSync(join(tmpdir(), 'ns-plugin-'));
    symlinkSync(PLUGIN, join(pluginDir, 'kubectl-nightshift'));
    const story = (name: string, spec: Record<string, unknown> = {}) => ({
      apiVersion: 'nightshift.dev/v1alpha1',
      kind: 'StoryRun',
      metadata: { name, namespace },
      spec: {
        story: { id: name.toUpperCase(), title: `Story ${name}` },
        repository: { url: 'https://forge.test/x.git' },
        ...spec,
      },
    });
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        story('one', { maxCostUSD: 2 }),
        story('q1', { queueRef: 'night', position: 5 }),
        story('q2', { queueRef: 'night' }),
        story('q3', { queueRef: 'night' }),
      ],
    };
    await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(list) });
  });
  after(() => rmSync(pluginDir, { recursive: true, force: true }));

  /** `kubectl nightshift args…`: its exit code, stdout and stderr. */
  const plugin = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      execFile(
        cluster.kubectlPath,
        ['nightshift', '-n', namespace, ...args],
        {
          env: {
            ...process.env,
            KUBECONFIG: cluster.kubeconfigPath,
            PATH: `${pluginDir}:${dirname(process.execPath)}:${process.env.PATH}`,
          },
        },
        (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
      );
    });
  const spec = async (name: string) =>
    JSON.parse(await cluster.kubectl(['get', 'storyrun', name, '-n', namespace, '-o', 'json'])).spec;

  it('get lists the stories with their phase, cost cap and queue', async () => {
    const { code, out, err } = await plugin('get');
    assert.equal(code, 0, err);
    const lines = out.trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+PHASE\s+STEP\s+COST\s+QUEUE\s+DECISION\s+PR$/);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/\s+/)[0]),
      ['one', 'q1', 'q2', 'q3'],
    );
    assert.match(out, /one\s+Queued\s+\$0\.00 \/ \$2\.00/);
    assert.match(out, /q2\s+Queued\s+-\s+night/);
  });

  it('pause, pause --immediate and resume patch spec.paused and spec.pauseMode', async () => {
    let r = await plugin('pause', 'one');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), 'storyrun/one paused (Graceful)');
    assert.deepEqual([(await spec('one')).paused, (await spec('one')).pauseMode], [true, 'Graceful']);
    assert.match((await plugin('get')).out, /one\s+Queued \(pausing\)/);
    r = await plugin('pause', 'one');
    assert.equal(r.out.trim(), 'storyrun/one already paused (Graceful)');
    r = await plugin('pause', 'one', '--immediate');
    assert.equal(r.out.trim(), 'storyrun/one paused (Immediate)');
    assert.equal((await spec('one')).pauseMode, 'Immediate');
    r = await plugin('resume', 'one');
    assert.equal(r.code, 0, r.err);
    assert.equal((await spec('one')).paused, false);
  });

  it('decide shows the waiting question (recommendation first), refuses a choice not offered, and answers', async () => {
    let r = await plugin('decide', 'one');
    assert.equal(r.code, 1);
    assert.match(r.err, /not waiting for a decision/);
    // What the operator writes when the runner asks.
    await cluster.kubectl([
      'patch',
      'storyrun',
      'one',
      '-n',
      namespace,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          phase: 'WaitingForHuman',
          pendingDecision: {
            id: 'q-7',
            kind: 'Decision',
            step: 'implement',
            question: 'Keep the old login flow?',
            options: ['keep', 'drop'],
            recommendation: 'drop',
            context: 'Both flows exist.',
          },
        },
      }),
    ]);
    r = await plugin('decide', 'one');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /asks \(Decision, in implement\): Keep the old login flow\?/);
    assert.match(r.out, /Both flows exist\.\n\n {2}drop {3}\(recommended\)\n {2}keep\n/);
    r = await plugin('decide', 'one', 'maybe');
    assert.equal(r.code, 1);
    assert.match(r.err, /"maybe" is not one of the options: keep, drop/);
    r = await plugin('decide', 'one', 'drop', '--comment', 'the new one is tested');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual((await spec('one')).decisions, [{ id: 'q-7', choice: 'drop', comment: 'the new one is tested' }]);
    assert.match(
      (await plugin('get')).out,
      /one\s+WaitingForHuman\s+\$0\.00 \/ \$2\.00\s+q-7: Keep the old login flow\?/,
    );
    r = await plugin('decide', 'one', 'keep');
    assert.equal(r.code, 1, 'a decision is answered once');
    assert.match(r.err, /answered already: drop/);
  });

  it('queue move-to-front puts the story before the others of its priority; skip and unskip', async () => {
    let r = await plugin('queue', 'move-to-front', 'q3');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), 'storyrun/q3 moved to the front');
    assert.equal((await spec('q3')).position, 4, 'below q1 (5), the lowest position in the queue');
    r = await plugin('queue', 'move-to-front', 'q3');
    assert.equal(r.out.trim(), 'storyrun/q3 unchanged');
    r = await plugin('queue', 'skip', 'q2');
    assert.equal(r.out.trim(), 'storyrun/q2 skipped');
    assert.equal((await spec('q2')).skip, true);
    r = await plugin('queue', 'unskip', 'q2');
    assert.equal(r.out.trim(), 'storyrun/q2 no longer skipped');
    assert.equal((await spec('q2')).skip, false);
    r = await plugin('queue', 'skip', 'one');
    assert.equal(r.code, 1);
    assert.match(r.err, /in no queue/);
  });

  it('abort --keep-work ends the story for good; nothing else applies to it afterwards', async () => {
    let r = await plugin('abort', 'q1', '--keep-work');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual((await spec('q1')).abort, { requested: true, keepWork: true });
    r = await plugin('resume', 'q1');
    assert.equal(r.code, 1);
    assert.match(r.err, /being aborted/);
  });

  it('names what is wrong: an unknown story, a missing argument, an unknown command', async () => {
    let r = await plugin('pause', 'nobody');
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`storyrun ${namespace}/nobody not found`));
    r = await plugin('pause');
    assert.equal(r.code, 2);
    assert.match(r.err, /pause takes one story name[\s\S]*Usage:/);
    r = await plugin('fly');
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command "fly"/);
  });
});
