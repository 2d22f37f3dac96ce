// The langchain backend completes a story against loopback servers that speak
// Anthropic's Messages API and OpenAI's Chat Completions: the production
// clients send real requests (always with max_tokens = maxTokensPerCall), the
// agent's tools change files only inside the worktree, and the cost recorded
// is the reported usage priced by genai-prices.
import { RUNNER_ENV, branchFor } from '@nightshift/crds/contract';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { startAnthropicStandIn } from '../../hack/stand-ins/anthropic.ts';
import { branchHead, readFileAt, repositoryPath } from '../../hack/stand-ins/forge.ts';
import type { ModelServer, ScriptedReply } from '../../hack/stand-ins/model-server.ts';
import { startOpenAIStandIn } from '../../hack/stand-ins/openai.ts';
import { eventsOf, runAttempt, sampleStoryRun, sessionRow, startBench, workspaceIn, type Bench } from './support.ts';

const NEW_GREETING = "export function greeting(name = 'world') {\n  return `Hello, ${name}!`;\n}\n";
const USAGE = { input_tokens: 1200, output_tokens: 150 };

/** plan, three implement turns (read, write + an escape attempt, finish), review. */
const SCRIPT: ScriptedReply[] = [
  { text: '1. Read greeting.js\n2. Use the name argument\n3. Run npm test', usage: USAGE },
  { toolCalls: [{ name: 'read_file', arguments: { path: 'greeting.js' } }], usage: USAGE },
  {
    toolCalls: [
      { name: 'write_file', arguments: { path: 'greeting.js', content: NEW_GREETING } },
      { name: 'write_file', arguments: { path: '../escaped.txt', content: 'should never be written' } },
    ],
    usage: USAGE,
  },
  {
    toolCalls: [{ name: 'finish', arguments: { summary: 'greeting() uses its name.', confidence: 0.9 } }],
    usage: USAGE,
  },
  { text: '{"verdict": "approve", "summary": "Uses the name; tests pass."}', usage: USAGE },
];

/** The text of every tool result the client sent back, in either wire format. */
function toolResults(body: Record<string, unknown>): string[] {
  const results: string[] = [];
  for (const message of body.messages as Record<string, unknown>[]) {
    if (message.role === 'tool') results.push(String(message.content));
    if (Array.isArray(message.content)) {
      for (const block of message.content as Record<string, unknown>[]) {
        if (block.type === 'tool_result') {
          results.push(typeof block.content === 'string' ? block.content : JSON.stringify(block.content));
        }
      }
    }
  }
  return results;
}

describe('runner: the langchain backend', function () {
  let bench: Bench;
  before(async () => (bench = await startBench('langchain')));
  after(() => bench?.close());

  const cases = [
    { provider: 'anthropic', model: 'claude-sonnet-4-5', start: startAnthropicStandIn },
    { provider: 'openai', model: 'gpt-4o-mini', start: startOpenAIStandIn },
  ] as const;

  for (const { provider, model, start } of cases) {
    it(`completes a story with tool calls against the ${provider} stand-in`, async () => {
      let server: ModelServer | undefined;
      try {
        server = await start({ script: SCRIPT, apiKey: 'test-api-key' });
        const id = `LC-${provider.toUpperCase()}`;
        const run = sampleStoryRun(bench.forge, {
          name: `lc-${provider}`,
          story: { id, description: 'The greeting should use the name it is given instead of "world".' },
          spec: {
            agent: {
              backend: 'langchain',
              provider,
              model,
              baseURL: server.baseURL,
              maxTurns: 10,
              maxTokensPerCall: 2048,
            },
          },
        });
        const workspace = workspaceIn(bench, `lc-${provider}`);
        const runner = await runAttempt({
          bench,
          run,
          attempt: 1,
          workspace,
          env: { [RUNNER_ENV.agentApiKey]: 'test-api-key' },
        });
        const session = await sessionRow(bench.pool, runner.sessionId);
        assert.equal(session.outcome, 'Succeeded', runner.output());
        assert.equal(session.outcome_detail?.confidence, 0.97);

        assert.equal(server.requests.length, SCRIPT.length);
        for (const request of server.requests) {
          assert.equal(request.body.model, model);
          assert.equal(request.body.max_tokens, 2048, 'every call sends max_tokens = maxTokensPerCall');
        }
        const implementRequest = server.requests[1]!.body;
        assert.deepEqual(
          (implementRequest.tools as Record<string, unknown>[]).map(
            (t) => t.name ?? (t.function as { name: string }).name,
          ),
          ['read_file', 'write_file', 'edit_file', 'list_files', 'search', 'run_command', 'ask_human', 'finish'],
        );
        assert.ok(toolResults(server.requests[2]!.body).some((r) => r.includes("return 'Hello, world!'")));
        const afterWrite = toolResults(server.requests[3]!.body);
        assert.ok(afterWrite.some((r) => r.startsWith('wrote') && r.includes('greeting.js')));
        assert.ok(
          afterWrite.some((r) => /error: .*outside the worktree/.test(r)),
          afterWrite.join('\n'),
        );
        assert.equal(existsSync(join(workspace, 'escaped.txt')), false);

        const bare = repositoryPath(`${bench.dir}/forge`, 'demo/hello');
        const head = await branchHead(bare, branchFor(id));
        assert.equal(await readFileAt(bare, head!, 'greeting.js'), NEW_GREETING);

        const perCall = calcPrice(USAGE, model, { providerId: provider })!.total_price;
        assert.ok(Math.abs(Number(session.cost_usd) - SCRIPT.length * perCall) < 1e-6, `cost ${session.cost_usd}`);
        const calls = await eventsOf(bench.pool, run.metadata.uid, 'AgentCall');
        assert.deepEqual(
          calls.map((c) => [c.step, c.data.inputTokens, c.data.outputTokens, c.data.model]),
          [
            ['plan', 1200, 150, model],
            ['implement', 1200, 150, model],
            ['implement', 1200, 150, model],
            ['implement', 1200, 150, model],
            ['review', 1200, 150, model],
          ],
        );
        const tools = await eventsOf(bench.pool, run.metadata.uid, 'ToolCall');
        assert.deepEqual(
          tools.map((t) => [t.data.tool, t.data.ok]),
          [
            ['read_file', true],
            ['write_file', true],
            ['write_file', false],
          ],
        );
      } finally {
        await server?.close();
      }
    });
  }

  it('fails at once with MissingCredentials, naming the Secret, instead of calling the provider with a placeholder key', async () => {
    const server = await startAnthropicStandIn({ script: SCRIPT, apiKey: 'test-api-key' });
    try {
      const run = sampleStoryRun(bench.forge, {
        name: 'lc-no-key',
        story: { id: 'LC-NO-KEY' },
        spec: {
          agent: {
            backend: 'langchain',
            provider: 'anthropic',
            model: 'claude-sonnet-4-5',
            baseURL: server.baseURL,
            credentialsSecretRef: { name: 'anthropic', key: 'apiKey' },
          },
        },
      });
      // The Secret's key is empty, so the variable is empty (an optional secretKeyRef would leave it unset).
      const runner = await runAttempt({
        bench,
        run,
        attempt: 1,
        workspace: workspaceIn(bench, 'lc-no-key'),
        env: { [RUNNER_ENV.agentApiKey]: '' },
      });
      const session = await sessionRow(bench.pool, runner.sessionId);
      assert.equal(session.outcome, 'Failed', runner.output());
      assert.equal(session.outcome_detail?.reason, 'MissingCredentials');
      assert.match(String(session.outcome_detail?.message), /key "apiKey" of Secret anthropic is empty/);
      assert.equal(server.requests.length, 0, 'the provider was never called');
    } finally {
      await server.close();
    }
  });
});
