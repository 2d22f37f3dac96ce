// The StoryRun lifecycle end to end on the local cluster: the real operator
// process, real runner pods from the locally built image, real Postgres, and
// a local forge (git over HTTP + GitHub API) as the remote.
import assert from 'node:assert/strict';
import { branchHead, DEMO_REPOSITORY, repositoryPath } from '../../hack/stand-ins/forge.ts';
import { eventually, installCRDs } from '../../hack/test/harness.ts';
import { OperatorProcess } from './support/operator-process.ts';
import {
  FORGE_TOKEN,
  createStoryRun,
  eventTypes,
  getStoryRun,
  patchSpec,
  sampleStoryRun,
  sessionsOf,
  storyEnvironment,
  storyPods,
  waitForPhase,
  type StoryEnvironment,
} from './support/story-environment.ts';

const slow = (step: string, seconds: number, attempt = 1) =>
  `\`\`\`nightshift\nslow: ${step} ${seconds}s attempt=${attempt}\n\`\`\``;

describe('StoryRun lifecycle on the local cluster', function () {
  this.timeout(10 * 60_000);
  let env: StoryEnvironment;
  let operator: OperatorProcess;
  const diagnostics = () => `--- operator log ---\n${operator.tail(30)}`;

  before(async function () {
    this.timeout(30 * 60_000);
    env = await storyEnvironment('lifecycle');
    operator = await OperatorProcess.startReady({
      kubeconfig: env.cluster.kubeconfigPath,
      databaseURL: env.databaseURL,
      namespace: env.namespace,
      // Long enough for a kubelet under load to report a missing Secret and, once it exists, retry (up to ~10 s).
      config: { runner: { pendingTimeoutSeconds: 60 } },
    });
  });
  after(async () => {
    await operator?.stop();
    await env?.close();
  });

  const whenStep = (name: string, step: string) =>
    eventually(
      `StoryRun ${name} to run step ${step}`,
      async () => {
        const sr = await getStoryRun(env, name);
        return sr.status?.phase === 'Running' && sr.status.step === step ? sr : undefined;
      },
      { timeoutMs: 120_000 },
    );

  it('runs the sample story to Succeeded: one pod, a draft PR, every record once', async () => {
    const created = await createStoryRun(env, sampleStoryRun(env, 'happy'));
    const done = await waitForPhase(env, 'happy', 'Succeeded', { diagnostics });
    const uid = created.metadata.uid!;

    assert.match(done.status!.pullRequest!.url, /\/pull\/\d+$/);
    const pull = env.forge.pulls.find((p) => p.head === 'nightshift/HAPPY');
    assert.ok(pull?.draft, 'a draft pull request from nightshift/HAPPY');
    assert.equal((await storyPods(env, uid)).length, 1, 'exactly one pod');
    assert.deepEqual(
      (await sessionsOf(env, uid)).map((s) => [s.attempt, s.outcome]),
      [[1, 'Succeeded']],
    );
    const complete = done.status!.conditions!.find((c) => c.type === 'Complete');
    assert.equal(complete?.status, 'True');
    assert.equal(complete?.reason, 'Succeeded');

    const transitions = await eventTypes(env, uid, 'operator');
    assert.deepEqual(
      transitions.filter((t) => t === 'Succeeded'),
      ['Succeeded'],
    );
    assert.equal(new Set(transitions).size, transitions.length, `no transition recorded twice: ${transitions}`);

    const table = await env.cluster.kubectl(['get', 'storyruns', '-n', env.namespace, 'happy']);
    assert.match(table, /happy\s+Succeeded\s+deliver\s+\S*\s*0\s+http:\/\/127\.0\.0\.1:\d+\/demo\/hello\/pull\/\d+/);
    const described = await env.cluster.kubectl(['describe', 'storyrun', '-n', env.namespace, 'happy']);
    assert.match(described, /Normal\s+Admitted/);
    assert.match(described, /Normal\s+Succeeded/);

    // The finished pod stays for retention.podSeconds, so its logs can still be read.
    await new Promise((r) => setTimeout(r, 3_000));
    const logs = await env.cluster.kubectl(['logs', '-n', env.namespace, done.status!.podName!]);
    assert.match(logs, /outcome recorded/, 'kubectl logs of the finished pod works');
  });

  it('runs a story whose description is 65,536 non-ASCII characters (too big for an environment variable)', async () => {
    const story = sampleStoryRun(env, 'long-story');
    story.spec.story.description = `${'日'.repeat(65_536 - story.spec.story.description.length - 1)}\n${story.spec.story.description}`;
    assert.equal(story.spec.story.description.length, 65_536);
    assert.ok(Buffer.byteLength(story.spec.story.description) > 128 * 1024, 'more than Linux allows in one env string');
    const created = await createStoryRun(env, story);
    await waitForPhase(env, 'long-story', 'Succeeded', { diagnostics });
    const [pod] = await storyPods(env, created.metadata.uid!);
    assert.ok(Buffer.byteLength(JSON.stringify(pod!.spec!.containers[0]!.env)) < 8192, 'the spec is not in the pod');
  });

  it('retries a failing pod with backoff, then fails at backoffLimit, saying why', async () => {
    const story = sampleStoryRun(env, 'unreachable', { spec: { backoffLimit: 1 } });
    story.spec.repository.url = env.forge.gitURL('nobody/nothing'); // no such repository on the forge
    const created = await createStoryRun(env, story);
    const failed = await waitForPhase(env, 'unreachable', 'Failed', { diagnostics });
    const complete = failed.status!.conditions!.find((c) => c.type === 'Complete');
    assert.equal(complete?.reason, 'BackoffLimitExceeded');
    // The cause the runner hit, not only "exit code 1".
    assert.match(complete!.message, /repository '.*nobody\/nothing\.git\/' not found/);
    const described = await env.cluster.kubectl(['describe', 'storyrun', '-n', env.namespace, 'unreachable']);
    assert.match(described, /Warning\s+PodFailed\s+.*not found/);
    const sessions = await sessionsOf(env, created.metadata.uid!);
    assert.deepEqual(
      sessions.map((s) => s.outcome),
      ['Crashed', 'Crashed'],
      'the first attempt and one retry',
    );
    assert.equal(failed.status!.failures, 2);
  });

  it('a pod that cannot start for a missing Secret is not Running and not a crash: the StoryRun names the Secret at once and starts when it appears', async () => {
    const story = sampleStoryRun(env, 'late-secret');
    story.spec.repository.credentialsSecretRef = { name: 'late-secret' };
    const created = await createStoryRun(env, story);
    const stalled = await eventually(
      'the Stalled condition naming the Secret',
      async () => {
        const sr = await getStoryRun(env, 'late-secret');
        const condition = sr.status?.conditions?.find((c) => c.type === 'Stalled' && c.status === 'True');
        return condition ? { sr, condition } : undefined;
      },
      { timeoutMs: 60_000 },
    );
    assert.equal(stalled.condition.reason, 'CreateContainerConfigError');
    assert.match(stalled.condition.message, /secret "late-secret" not found/);
    assert.equal(stalled.sr.status?.phase, 'Admitted', 'not Running');
    assert.equal(stalled.sr.status?.failures, 0, 'not a crash');
    const described = await env.cluster.kubectl(['describe', 'storyrun', '-n', env.namespace, 'late-secret']);
    assert.match(described, /Warning\s+PodStalled\s+.*late-secret/);

    await env.core.createNamespacedSecret({
      namespace: env.namespace,
      body: { metadata: { name: 'late-secret' }, stringData: { token: FORGE_TOKEN } },
    });
    const done = await waitForPhase(env, 'late-secret', 'Succeeded', { diagnostics });
    assert.equal(done.status!.conditions!.find((c) => c.type === 'Stalled')?.status, 'False');
    assert.deepEqual(
      (await sessionsOf(env, created.metadata.uid!)).map((s) => [s.attempt, s.outcome]),
      [[1, 'Succeeded']],
      'the same attempt started once the Secret existed',
    );
  });

  it('fails a story whose Secret never appears once, after pendingTimeoutSeconds, while a neighbour succeeds', async () => {
    const story = sampleStoryRun(env, 'no-secret', { spec: { backoffLimit: 2 } });
    story.spec.repository.credentialsSecretRef = { name: 'no-such-secret' };
    const created = await createStoryRun(env, story);
    await createStoryRun(env, sampleStoryRun(env, 'neighbour'));
    const failed = await waitForPhase(env, 'no-secret', 'Failed', { timeoutMs: 120_000, diagnostics });
    const complete = failed.status!.conditions!.find((c) => c.type === 'Complete');
    assert.equal(complete?.reason, 'CreateContainerConfigError');
    assert.match(complete!.message, /no-such-secret/);
    assert.equal(
      (await sessionsOf(env, created.metadata.uid!)).length,
      1,
      'one attempt: no retries of a pod that cannot start',
    );
    await waitForPhase(env, 'neighbour', 'Succeeded', { diagnostics });
  });

  it('shows a StoryRun it cannot parse (written under an older CRD) with a Warning Event and a Condition naming the field', async () => {
    // An older CRD without the pattern on spec.story.id lets an id in that the
    // operator's schema refuses: the API server stores it, the operator must say so.
    const crd = JSON.parse(await env.cluster.kubectl(['get', 'crd', 'storyruns.nightshift.dev', '-o', 'json']));
    const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    delete spec.properties.story.properties.id.pattern;
    delete crd.metadata.managedFields;
    try {
      await env.cluster.kubectl(['replace', '-f', '-'], { input: JSON.stringify(crd) });
      const story = sampleStoryRun(env, 'old-crd');
      story.spec.story.id = 'not a valid id!';
      // Created raw: createStoryRun parses what comes back, and this object does not parse.
      const create = () =>
        env.custom.createNamespacedCustomObject({
          group: 'nightshift.dev',
          version: 'v1alpha1',
          namespace: env.namespace,
          plural: 'storyruns',
          body: story,
        });
      await eventually('the API server to accept the object under the older CRD', () =>
        create().then(
          () => true,
          (error: { code?: number }) => (error.code === 409 ? true : undefined),
        ),
      );
    } finally {
      await installCRDs(); // the current CRDs again, for everything after this test
    }
    const condition = await eventually('the Valid condition', async () => {
      const raw = await env.custom.getNamespacedCustomObject({
        group: 'nightshift.dev',
        version: 'v1alpha1',
        namespace: env.namespace,
        plural: 'storyruns',
        name: 'old-crd',
      });
      const conditions = (
        raw as { status?: { conditions?: { type: string; status: string; reason: string; message: string }[] } }
      ).status?.conditions;
      return conditions?.find((c) => c.type === 'Valid');
    });
    assert.equal(condition.status, 'False');
    assert.equal(condition.reason, 'InvalidSpec');
    assert.match(condition.message, /spec\.story\.id: /);
    const described = await env.cluster.kubectl(['describe', 'storyrun', '-n', env.namespace, 'old-crd']);
    assert.match(described, /Warning\s+InvalidSpec\s+.*spec\.story\.id/);
    const pods = await env.core.listNamespacedPod({
      namespace: env.namespace,
      labelSelector: 'nightshift.dev/storyrun=old-crd',
    });
    assert.equal(pods.items.length, 0, 'nothing was started for it');
  });

  it('pauses gracefully (the step in flight finishes), then resumes in a new pod', async () => {
    const created = await createStoryRun(
      env,
      sampleStoryRun(env, 'graceful', { extraDescription: slow('implement', 12) }),
    );
    const uid = created.metadata.uid!;
    await whenStep('graceful', 'implement');
    await patchSpec(env, 'graceful', { paused: true });
    await waitForPhase(env, 'graceful', 'Pausing', { diagnostics });
    const paused = await waitForPhase(env, 'graceful', 'Paused', { diagnostics });
    assert.equal(paused.status!.conditions!.find((c) => c.type === 'Paused')?.reason, 'PausedByUser');
    const finished = (
      await env.db.query(
        `select count(*)::int as n from execution_events where story_uid = $1 and type = 'StepFinished' and message = 'implement'`,
        [uid],
      )
    ).rows[0].n;
    assert.equal(finished, 1, 'implement finished before the pod stopped');

    await patchSpec(env, 'graceful', { paused: false });
    await waitForPhase(env, 'graceful', 'Succeeded', { diagnostics });
    const started = await env.db.query(
      `select message as node, count(*)::int as n from execution_events where story_uid = $1 and type = 'StepStarted' group by message`,
      [uid],
    );
    const runs = Object.fromEntries(started.rows.map((r) => [r.node, r.n]));
    assert.equal(runs.plan, 1, 'plan ran once');
    assert.equal(runs.implement, 1, 'implement ran once: the resumed pod started after it');
    assert.deepEqual(
      (await sessionsOf(env, uid)).map((s) => s.outcome),
      ['Paused', 'Succeeded'],
    );
  });

  it('pauses immediately (the pod stops now; the step is redone on resume)', async () => {
    const created = await createStoryRun(
      env,
      sampleStoryRun(env, 'immediate', { extraDescription: slow('implement', 300) }),
    );
    const uid = created.metadata.uid!;
    await whenStep('immediate', 'implement');
    await patchSpec(env, 'immediate', { paused: true, pauseMode: 'Immediate' });
    await waitForPhase(env, 'immediate', 'Paused', { timeoutMs: 30_000, diagnostics });
    const implementFinished = await env.db.query(
      `select count(*)::int as n from execution_events where story_uid = $1 and type = 'StepFinished' and message = 'implement'`,
      [uid],
    );
    assert.equal(implementFinished.rows[0].n, 0, 'the 300 s step was cut, not finished');

    await patchSpec(env, 'immediate', { paused: false });
    await waitForPhase(env, 'immediate', 'Succeeded', { diagnostics });
    assert.equal((await storyPods(env, uid)).length <= 2, true, 'one pod per attempt, old ones cleaned up');
  });

  it('aborts without keepWork: stops the pod, deletes the worktree volume', async () => {
    const created = await createStoryRun(
      env,
      sampleStoryRun(env, 'discard', { extraDescription: slow('implement', 300) }),
    );
    await whenStep('discard', 'implement');
    await patchSpec(env, 'discard', { abort: { requested: true } });
    const aborted = await waitForPhase(env, 'discard', 'Aborted', { timeoutMs: 90_000, diagnostics });
    assert.match(aborted.status!.message!, /work discarded/);
    await eventually('the worktree volume to be deleted', async () => {
      const claims = await env.core.listNamespacedPersistentVolumeClaim({
        namespace: env.namespace,
        labelSelector: `nightshift.dev/storyrun-uid=${created.metadata.uid}`,
      });
      return claims.items.length === 0;
    });
  });

  it('aborts with keepWork: the work in progress is pushed to the branch first', async () => {
    await createStoryRun(env, sampleStoryRun(env, 'keep', { extraDescription: slow('review', 300) }));
    await whenStep('keep', 'review');
    await patchSpec(env, 'keep', { abort: { requested: true, keepWork: true } });
    const aborted = await waitForPhase(env, 'keep', 'Aborted', { timeoutMs: 120_000, diagnostics });
    assert.match(aborted.status!.message!, /kept on branch nightshift\/KEEP/);
    const head = await branchHead(repositoryPath(env.forgeRoot, DEMO_REPOSITORY), 'nightshift/KEEP');
    assert.ok(head, 'the branch was pushed to the forge');
  });

  it('deleting a running StoryRun stops its pod fast and closes its records, with no finalizer on it', async () => {
    const created = await createStoryRun(
      env,
      sampleStoryRun(env, 'deleted', { extraDescription: slow('implement', 300) }),
    );
    const uid = created.metadata.uid!;
    const running = await whenStep('deleted', 'implement');
    assert.deepEqual(running.metadata.finalizers ?? [], [], 'no finalizer: deleting never waits for the operator');
    await env.custom.deleteNamespacedCustomObject({
      group: 'nightshift.dev',
      version: 'v1alpha1',
      namespace: env.namespace,
      plural: 'storyruns',
      name: 'deleted',
    });
    // Well within the 300 s a graceful stop would give its 300 s step (the abort grace is 10 s).
    await eventually('the story pod to be gone', async () => (await storyPods(env, uid)).length === 0, {
      timeoutMs: 120_000,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${diagnostics()}`);
    });
    const sessions = await eventually('the open attempt to be closed', async () => {
      const rows = await sessionsOf(env, uid);
      return rows.every((r) => r.outcome !== null) ? rows : undefined;
    });
    assert.ok(
      sessions.every((r) => r.outcome === 'Paused' || r.outcome_detail?.reason === 'Deleted'),
      JSON.stringify(sessions),
    );
    assert.ok((await eventTypes(env, uid, 'operator')).includes('Deleted'));
  });

  it('drops the finalizer an older operator put on a StoryRun', async () => {
    const story = sampleStoryRun(env, 'legacy');
    (story.metadata as { finalizers?: string[] }).finalizers = ['nightshift.dev/records'];
    await createStoryRun(env, story);
    await eventually('the legacy finalizer to go', async () =>
      (await getStoryRun(env, 'legacy')).metadata.finalizers?.length ? undefined : true,
    );
    await waitForPhase(env, 'legacy', 'Succeeded', { diagnostics });
  });

  it('survives SIGKILL of the operator mid-run: the story completes once, with no duplicate pod or row', async () => {
    const created = await createStoryRun(
      env,
      sampleStoryRun(env, 'killed', { extraDescription: slow('implement', 8) }),
    );
    const uid = created.metadata.uid!;
    await whenStep('killed', 'implement');
    operator.kill('SIGKILL');
    await operator.waitForExit();
    operator.restart();
    await waitForPhase(env, 'killed', 'Succeeded', { diagnostics });
    assert.equal((await storyPods(env, uid)).length, 1, 'no second pod');
    assert.deepEqual(
      (await sessionsOf(env, uid)).map((s) => s.outcome),
      ['Succeeded'],
    );
    const transitions = await eventTypes(env, uid, 'operator');
    assert.equal(new Set(transitions).size, transitions.length, `no transition recorded twice: ${transitions}`);
    assert.equal(env.forge.pulls.filter((p) => p.head === 'nightshift/KILLED').length, 1, 'one pull request');
  });
});
