// The cli backend: runs spec.agent.command (a headless coding agent) in the
// worktree with the task on stdin and in the environment. Its model calls go
// through the runner's metering proxy (cost/proxy.ts), pointed at by the
// agent's usual base-URL variables, so each call is reserved at its worst case
// against the story's cap and its Budgets before it is made, and settled from
// the provider's usage: the agent gets a key good for the proxy alone, never
// the provider's. Cost lines the agent prints are not charged (the ledger is
// the only writer of spend); a refused call ends the run Paused/BudgetExceeded.
import { startMeteringProxy } from '../../cost/proxy.ts';
import { StoryFailure } from '../../errors.ts';
import { noProxyWith, runCommand } from '../../commands/run-command.ts';
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
    const { meter, story, agent, worktree } = this.ctx;
    const cap = await meter.ledger.storyWindow();
    const proxy = await startMeteringProxy({
      meter,
      agent,
      apiKey: this.ctx.apiKey,
      log: this.ctx.log,
      step: 'implement',
      ttlSeconds: this.ctx.reservationTTLSeconds,
    });
    const task = {
      story,
      round: input.round,
      plan: input.plan,
      answers: input.answers,
      feedback: input.feedback,
    };
    let result;
    try {
      const provider = agent.provider ?? (agent.model?.startsWith('claude') ? 'anthropic' : 'openai');
      result = await runCommand(this.command, {
        cwd: worktree.path,
        timeoutMs: CLI_TIMEOUT_MS,
        input: taskPrompt(task),
        maxOutputBytes: 1024 * 1024,
        env: {
          NIGHTSHIFT_STORY_ID: story.id,
          NIGHTSHIFT_STORY_TITLE: story.title,
          NIGHTSHIFT_STORY_JSON: JSON.stringify(task),
          NIGHTSHIFT_MAX_COST_USD:
            cap.limitUSD === null ? '' : Math.max(0, cap.limitUSD - cap.spentUSD - cap.reservedUSD).toFixed(6),
          NIGHTSHIFT_MAX_TURNS: String(agent.maxTurns),
          NIGHTSHIFT_MAX_TOKENS_PER_CALL: String(agent.maxTokensPerCall),
          NIGHTSHIFT_AGENT_MODEL: agent.model,
          NIGHTSHIFT_AGENT_PROVIDER: provider,
          // Every base URL and key an agent's SDK reads points at the proxy.
          NIGHTSHIFT_AGENT_BASE_URL: provider === 'anthropic' ? proxy.anthropicBaseURL : proxy.openaiBaseURL,
          NIGHTSHIFT_AGENT_API_KEY: proxy.token,
          ANTHROPIC_BASE_URL: proxy.anthropicBaseURL,
          ANTHROPIC_API_KEY: proxy.token,
          OPENAI_BASE_URL: proxy.openaiBaseURL,
          OPENAI_API_KEY: proxy.token,
          ...noProxyWith(['127.0.0.1']),
        },
      });
    } finally {
      await proxy.close();
    }
    // A refused call ends the run, whatever the agent made of the refusal.
    const refusal = proxy.refusal();
    if (refusal) throw refusal;
    const report = parseCliOutput(result.stdout);
    if (report.costs.length > 0) {
      this.ctx.log.info(
        { lines: report.costs.length },
        'the cli agent printed cost lines: not charged, its calls were metered by the proxy',
      );
    }
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
