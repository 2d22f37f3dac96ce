// The runner in real pods on the local cluster, driven through the operator
// and kubectl as a user would: a pod killed mid-step resumes without redoing
// finished steps, a question and a low-confidence gate are answered with
// `kubectl patch`, the cost cap pauses a story until it is raised, and the
// langchain backend works against a loopback provider from inside a pod.
import assert from 'node:assert/strict';
import { startAnthropicStandIn } from '../../hack/stand-ins/anthropic.ts';
import { DEMO_REPOSITORY, branchHead, readFileAt, repositoryPath } from '../../hack/stand-ins/forge.ts';
import type { ModelServer } from '../../hack/stand-ins/model-server.ts';
import { eventually } from '../../hack/test/harness.ts';
import { OperatorProcess } from '../../operator/test/support/operator-process.ts';
import {
  createStoryRun,
  getStoryRun,
  patchSpec,
  sampleStoryRun,
  sessionsOf,
  storyEnvironment,
  waitForPhase,
  type StoryEnvironment,
} from '../../operator/test/support/story-environment.ts';

const fence = '```';

describe('runner pods on the local cluster', function () {
  this.timeout(10 * 60_000);
  let env: StoryEnvironment;
  let operator: OperatorProcess;
  const diagnostics = () => `--- operator log ---\n${operator.tail(20)}`;
  const bare = () => repositoryPath(env.forgeRoot, DEMO_REPOSITORY);
  const nodeRuns = async (uid: string, node: string) =>
    (
      await env.db.query(
        `select count(*)::int as n from execution_events where story_uid = $1 and type = 'StepStarted' and message = $2`,
        [uid, node],
      )
    ).rows[0].n as number;

  before(async function () {
    this.timeout(30 * 60_000);
    env = await storyEnvironment('runner-pods');
    operator = await OperatorProcess.startReady({
      kubeconfig: env.cluster.kubeconfigPath,
      databaseURL: env.databaseURL,
      namespace: env.namespace,
      config: { leaderElection: { enabled: false } },
    });
  });
  after(async () => {
    await operator?.stop();
    await env?.close();
  });

  it('a pod killed during implement: a new pod resumes there and never redoes plan', async () => {
    const story = sampleStoryRun(env, 'killed-pod', {
      extraDescription: `${fence}nightshift\nslow: implement 20s attempt=1\n${fence}`,
    });
    const uid = (await createStoryRun(env, story)).metadata.uid!;
    await eventually(
      'implement to start',
      async () => (await getStoryRun(env, 'killed-pod')).status?.step === 'implement',
    );
    await env.core.deleteNamespacedPod({ namespace: env.namespace, name: 'killed-pod-1', gracePeriodSeconds: 0 });
    await waitForPhase(env, 'killed-pod', 'Succeeded', { diagnostics });
    assert.deepEqual(
      (await sessionsOf(env, uid)).map((s) => s.outcome),
      ['Crashed', 'Succeeded'],
    );
    assert.equal(await nodeRuns(uid, 'plan'), 1, 'plan ran once');
    assert.equal(await nodeRuns(uid, 'implement'), 2, 'the cut implement ran again');
    assert.equal(await nodeRuns(uid, 'open_pull_request'), 1);
    assert.equal(env.forge.pulls.filter((p) => p.head === 'nightshift/KILLED-POD').length, 1);
  });

  it('a question: WaitingForHuman with the decision in status, answered with kubectl patch', async () => {
    const description = `${fence}ask
question: Which greeting style should greeting() use?
options: casual, formal
recommendation: casual
context: Casual says "Hello, Ada!" (what the tests expect); formal says "Good day, Ada.".
${fence}

${fence}write greeting.js choice=casual
// style: casual
export function greeting(name = 'world') {
  return \`Hello, \${name}!\`;
}
${fence}`;
    const story = sampleStoryRun(env, 'question');
    story.spec.story.description = description;
    const uid = (await createStoryRun(env, story)).metadata.uid!;
    const waiting = await waitForPhase(env, 'question', 'WaitingForHuman', { diagnostics });
    const pending = waiting.status!.pendingDecision!;
    assert.equal(pending.question, 'Which greeting style should greeting() use?');
    assert.deepEqual(pending.options, ['casual', 'formal']);
    assert.equal(pending.recommendation, 'casual');
    assert.equal(waiting.status!.conditions!.find((c) => c.type === 'WaitingForHuman')?.status, 'True');

    await patchSpec(env, 'question', { decisions: [{ id: pending.id, choice: 'casual', comment: 'match the tests' }] });
    await waitForPhase(env, 'question', 'Succeeded', { diagnostics });
    const head = await branchHead(bare(), 'nightshift/QUESTION');
    assert.match((await readFileAt(bare(), head!, 'greeting.js'))!, /^\/\/ style: casual/);
    const answered = await env.db.query('select choice, answered_by from decision_queue where story_uid = $1', [uid]);
    assert.deepEqual(answered.rows, [{ choice: 'casual', answered_by: 'spec.decisions' }]);
  });

  it('low confidence: a ConfidenceGate decision, overridden with approve', async () => {
    const story = sampleStoryRun(env, 'unsure', { extraDescription: `${fence}nightshift\nconfidence: 0.1\n${fence}` });
    await createStoryRun(env, story);
    const waiting = await waitForPhase(env, 'unsure', 'WaitingForHuman', { diagnostics });
    assert.equal(waiting.status!.pendingDecision!.kind, 'ConfidenceGate');
    assert.ok(waiting.status!.pendingDecision!.options.includes('approve'));
    assert.equal(waiting.status!.conditions!.find((c) => c.type === 'WaitingForHuman')?.reason, 'ConfidenceGate');
    await patchSpec(env, 'unsure', { decisions: [{ id: waiting.status!.pendingDecision!.id, choice: 'approve' }] });
    const done = await waitForPhase(env, 'unsure', 'Succeeded', { diagnostics });
    assert.ok(done.status!.pullRequest);
  });

  it('the cost cap pauses a story with BudgetExceeded; raising it resumes and completes', async () => {
    const calls = `${fence}nightshift\ncalls: 24\ncalls-parallel: 12\ncall-input-tokens: 2000\ncall-output-tokens: 500\n${fence}`;
    const story = sampleStoryRun(env, 'capped', { extraDescription: calls, spec: { maxCostUSD: 0.2 } });
    const uid = (await createStoryRun(env, story)).metadata.uid!;
    const paused = await waitForPhase(env, 'capped', 'Paused', { diagnostics });
    assert.equal(paused.status!.conditions!.find((c) => c.type === 'Paused')?.reason, 'BudgetExceeded');
    assert.ok(paused.status!.costUSD! <= 0.2, `settled ${paused.status!.costUSD} within the $0.20 cap`);
    const window = await env.db.query(
      `select spent_usd, reserved_usd from budget_windows where scope = 'story' and scope_key = $1`,
      [uid],
    );
    assert.ok(Number(window.rows[0].spent_usd) <= 0.2);
    assert.equal(Number(window.rows[0].reserved_usd), 0);

    await patchSpec(env, 'capped', { maxCostUSD: 5 });
    const done = await waitForPhase(env, 'capped', 'Succeeded', { diagnostics });
    assert.ok(done.status!.costUSD! > 0.2, 'the rest of the calls ran after the cap was raised');
  });

  it('the langchain backend, from inside a pod, against a loopback Anthropic API', async () => {
    const usage = { input_tokens: 1200, output_tokens: 150 };
    const greeting = "export function greeting(name = 'world') {\n  return `Hello, ${name}!`;\n}\n";
    let server: ModelServer | undefined;
    try {
      server = await startAnthropicStandIn({
        apiKey: 'pod-api-key',
        script: [
          { text: '1. Use the name argument in greeting.js', usage },
          { toolCalls: [{ name: 'write_file', arguments: { path: 'greeting.js', content: greeting } }], usage },
          {
            toolCalls: [{ name: 'finish', arguments: { summary: 'greeting() uses its name.', confidence: 0.9 } }],
            usage,
          },
          { text: '{"verdict": "approve", "summary": "Uses the name; tests pass."}', usage },
        ],
      });
      await env.core.createNamespacedSecret({
        namespace: env.namespace,
        body: { metadata: { name: 'anthropic-key' }, stringData: { apiKey: 'pod-api-key' } },
      });
      const story = sampleStoryRun(env, 'model', {
        spec: {
          agent: {
            backend: 'langchain',
            provider: 'anthropic',
            model: 'claude-sonnet-4-5',
            baseURL: server.baseURL,
            maxTurns: 8,
            maxTokensPerCall: 2048,
            credentialsSecretRef: { name: 'anthropic-key' },
          },
        },
      });
      story.spec.story.description = 'The greeting should use the name it is given instead of "world".';
      await createStoryRun(env, story);
      const done = await waitForPhase(env, 'model', 'Succeeded', { diagnostics });
      assert.ok(done.status!.costUSD! > 0, 'the calls were priced');
      assert.equal(server.requests.length, 4);
      for (const request of server.requests) assert.equal((request.body as { max_tokens?: number }).max_tokens, 2048);
      const head = await branchHead(bare(), 'nightshift/MODEL');
      assert.equal(await readFileAt(bare(), head!, 'greeting.js'), greeting);
    } finally {
      await server?.close();
    }
  });
});
