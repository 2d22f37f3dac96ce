// The cli backend: runs spec.agent.command (a headless coding agent) in the
// worktree with the task on stdin and in the environment. Its spending cannot
// be bounded call by call, so the whole run is reserved at the story's
// remaining cap and settled to what the command reports (cost lines on
// stdout, see output.ts); a command that reports nothing is charged its whole
// reservation, since what it spent is unknown.
import { RUNNER_ENV } from '@nightshift/crds/contract';
import { BudgetExceeded, StoryFailure } from '../../errors.ts';
import { runCommand } from '../../commands/run-command.ts';
import type { AgentContext, ImplementInput, ImplementResult, ReviewResult, StoryAgent } from '../agent.ts';
import { parseCliOutput } from './output.ts';

const CLI_TIMEOUT_MS = 60 * 60 * 1000;

export class CliAgent implements StoryAgent {
  readonly name = 'cli';
  private readonly ctx: AgentContext;
  private readonly command: string[];

  constructor(ctx: AgentContext) {
    this.ctx = ctx;
    this.command = ctx.agent.command ?? [];
    if (this.command.length === 0) {
      throw new StoryFailure('InvalidAgent', 'spec.agent.command is required for the cli backend');
    }
  }

  async plan(): Promise<string> {
    return `Delegated to \`${this.command.join(' ')}\`, which plans and implements in one run.`;
  }

  async implement(input: ImplementInput): Promise<ImplementResult> {
    const { meter, story, agent, worktree, events } = this.ctx;
    const window = await meter.ledger.window();
    const remaining = window.limitUSD === null ? 0 : window.limitUSD - window.spentUSD - window.reservedUSD;
    if (window.limitUSD !== null && remaining <= 0) {
      throw new BudgetExceeded(
        `refused the cli agent run: nothing is left of the story's cap $${window.limitUSD.toFixed(6)} ` +
          `(spent $${window.spentUSD.toFixed(6)}); raise spec.maxCostUSD to resume`,
      );
    }
    const reservation = await meter.reserve(
      'implement',
      'cli agent run',
      remaining,
      'the cli agent run',
      CLI_TIMEOUT_MS / 1000 + 300,
    );
    const task = {
      story,
      round: input.round,
      plan: input.plan,
      answers: input.answers,
      feedback: input.feedback,
    };
    const result = await runCommand(this.command, {
      cwd: worktree.path,
      timeoutMs: CLI_TIMEOUT_MS,
      input: taskPrompt(task),
      maxOutputBytes: 1024 * 1024,
      env: {
        NIGHTSHIFT_STORY_ID: story.id,
        NIGHTSHIFT_STORY_TITLE: story.title,
        NIGHTSHIFT_STORY_JSON: JSON.stringify(task),
        NIGHTSHIFT_MAX_COST_USD: window.limitUSD === null ? '' : remaining.toFixed(6),
        NIGHTSHIFT_MAX_TURNS: String(agent.maxTurns),
        NIGHTSHIFT_MAX_TOKENS_PER_CALL: String(agent.maxTokensPerCall),
        NIGHTSHIFT_AGENT_MODEL: agent.model,
        NIGHTSHIFT_AGENT_PROVIDER: agent.provider,
        NIGHTSHIFT_AGENT_BASE_URL: agent.baseURL,
        [RUNNER_ENV.agentApiKey]: this.ctx.apiKey,
      },
    });
    const report = parseCliOutput(result.stdout);
    let cost = 0;
    for (const line of report.costs) {
      const priced =
        line.usd ??
        (line.model && line.input_tokens !== undefined && line.output_tokens !== undefined
          ? meter.pricing.price(line.model, line.provider, {
              input_tokens: line.input_tokens,
              output_tokens: line.output_tokens,
            })
          : undefined);
      cost += priced ?? 0;
      await events.record({
        type: 'AgentCall',
        step: 'implement',
        message: `cli agent call${line.model ? `: ${line.model}` : ''}`,
        data: {
          purpose: 'cli',
          model: line.model ?? null,
          inputTokens: line.input_tokens ?? null,
          outputTokens: line.output_tokens ?? null,
          costUSD: priced ?? null,
        },
      });
    }
    if (report.costs.length === 0) {
      this.ctx.log.warn('the cli agent reported no cost: charged its whole reservation');
      cost = reservation.amountUSD;
    }
    await reservation.settle(cost);
    if (result.exitCode !== 0) {
      throw new Error(
        `the cli agent ${JSON.stringify(this.command)} ${result.timedOut ? 'timed out' : `exited with ${result.exitCode ?? result.signal}`}: ${result.output.slice(-2000)}`,
      );
    }
    if (report.question) return { summary: report.summary ?? '', question: report.question };
    return {
      summary: report.summary ?? `\`${this.command.join(' ')}\` finished.`,
      selfAssessment: report.confidence,
    };
  }

  async review(): Promise<ReviewResult> {
    return { verdict: 'none', summary: 'The cli backend does no separate review.' };
  }
}

function taskPrompt(task: {
  story: AgentContext['story'];
  round: number;
  plan: string;
  answers: ImplementInput['answers'];
  feedback: string | null;
}): string {
  const lines = [`# ${task.story.id}: ${task.story.title}`, '', task.story.description, ''];
  if (task.story.acceptanceCriteria.length > 0) {
    lines.push('## Acceptance criteria', ...task.story.acceptanceCriteria.map((c) => `- ${c}`), '');
  }
  for (const a of task.answers)
    lines.push(`A human answered "${a.question}": ${a.choice}${a.comment ? ` (${a.comment})` : ''}`);
  if (task.feedback) lines.push('', '## Feedback on the previous round', task.feedback);
  return `${lines.join('\n')}\n`;
}
