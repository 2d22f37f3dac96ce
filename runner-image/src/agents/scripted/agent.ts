// The scripted agent: deterministic and offline. It applies the file changes
// written in the story description and follows its test directives (questions
// for a human, self-assessed confidence, review verdicts, metered model-sized
// calls, slow steps) so the whole workflow can be exercised without a model.
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StoryFailure } from '../../errors.ts';
import { silenceHeartbeat } from '../../heartbeat.ts';
import type { AgentContext, ImplementInput, ImplementResult, ReviewInput, ReviewResult, StoryAgent } from '../agent.ts';
import { resolveInWorktree } from '../worktree-paths.ts';
import { DirectiveError, forRound, parseDirectives, type Directives, type FileDirective } from './directives.ts';

const DEFAULT_SELF_ASSESSMENT = 0.9;
const DEFAULT_CALL_MODEL = 'claude-sonnet-4-5';

export class ScriptedAgent implements StoryAgent {
  readonly name = 'scripted';
  private readonly ctx: AgentContext;
  private readonly directives: Directives;

  constructor(ctx: AgentContext) {
    this.ctx = ctx;
    try {
      this.directives = parseDirectives(ctx.story.description);
    } catch (error) {
      if (error instanceof DirectiveError) throw new StoryFailure('InvalidStoryDirectives', error.message);
      throw error;
    }
  }

  async plan(): Promise<string> {
    await this.slow('plan');
    if (this.directives.plan) return this.directives.plan;
    const steps = this.directives.files.map((f) => `- ${f.op} ${f.path}${conditions(f)}`);
    const asks = this.directives.asks.map((a) => `- ask: ${a.question}`);
    return [`Scripted plan for ${this.ctx.story.id}:`, ...asks, ...steps].join('\n');
  }

  async implement(input: ImplementInput): Promise<ImplementResult> {
    const answered = new Set(input.answers.map((a) => a.question));
    const open = this.directives.asks.find((a) => !answered.has(a.question));
    if (open) {
      return {
        summary: '',
        question: {
          question: open.question,
          options: open.options,
          recommendation: open.recommendation,
          context: open.context || `The story "${this.ctx.story.title}" asks for a decision before it is implemented.`,
        },
      };
    }
    const choices = new Set(input.answers.map((a) => a.choice));
    const applied: string[] = [];
    for (const file of this.directives.files) {
      if (file.round !== undefined && file.round !== input.round) continue;
      if (file.choice !== undefined && !choices.has(file.choice)) continue;
      await this.apply(file);
      applied.push(`${file.op} ${file.path}`);
    }
    await this.makeCalls();
    await this.slow('implement');
    return {
      summary: applied.length > 0 ? `Applied ${applied.join(', ')}.` : 'No file changes for this round.',
      selfAssessment: forRound(this.directives.confidence, input.round) ?? DEFAULT_SELF_ASSESSMENT,
    };
  }

  async review(input: ReviewInput): Promise<ReviewResult> {
    await this.slow('review');
    const verdict = forRound(this.directives.review, input.round) ?? 'approve';
    return {
      verdict,
      summary: `Scripted review of ${input.change.files.length} changed file(s): ${verdict}.`,
    };
  }

  private async apply(file: FileDirective): Promise<void> {
    const path = await resolveInWorktree(this.ctx.worktree.path, file.path).catch((error: Error) => {
      throw new StoryFailure('InvalidStoryDirectives', `${file.op} ${file.path}: ${error.message}`);
    });
    if (file.op === 'delete') {
      await rm(path, { force: true });
      return;
    }
    await mkdir(dirname(path), { recursive: true });
    if (file.op === 'write') await writeFile(path, file.content);
    else await appendFile(path, file.content);
  }

  /** N model-sized calls through the cost meter, `parallel` at a time; the first refusal ends the round. */
  private async makeCalls(): Promise<void> {
    const calls = this.directives.calls;
    if (!calls) return;
    const model = calls.model ?? this.ctx.agent.model ?? DEFAULT_CALL_MODEL;
    const provider = calls.provider ?? this.ctx.agent.provider;
    const maxTokens = this.ctx.agent.maxTokensPerCall;
    const prompt = 'lorem '.repeat(Math.ceil((calls.inputTokens * 4) / 6)); // ~4 bytes of text per token
    let next = 0;
    let failure: unknown;
    const worker = async () => {
      while (failure === undefined && next < calls.count) {
        const index = next++;
        try {
          await this.ctx.meter.call(
            {
              step: 'implement',
              purpose: `scripted call ${index + 1}/${calls.count}`,
              model,
              provider,
              requestBytes: Buffer.byteLength(prompt),
              maxTokens,
            },
            async () => {
              await new Promise((r) => setTimeout(r, calls.latencyMs));
              return {
                value: undefined,
                usage: { input_tokens: calls.inputTokens, output_tokens: Math.min(calls.outputTokens, maxTokens) },
              };
            },
          );
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(calls.parallel, calls.count) }, worker));
    if (failure !== undefined) throw failure;
  }

  private async slow(step: 'plan' | 'implement' | 'review'): Promise<void> {
    const applies = (s: { step: string; attempt?: number }) =>
      s.step === step && (s.attempt === undefined || s.attempt === this.ctx.attempt);
    const silent = this.directives.silent.find(applies);
    if (silent) {
      // Alive but silent: no heartbeat, no progress, as a hung runner looks from outside.
      silenceHeartbeat(true);
      await new Promise((r) => setTimeout(r, silent.seconds * 1000));
      silenceHeartbeat(false);
    }
    const directive = this.directives.slow.find(applies);
    if (!directive) return;
    await this.ctx.events.record({
      type: 'SlowStep',
      step,
      message: `scripted slow step: ${directive.seconds}s`,
      data: { seconds: directive.seconds, attempt: this.ctx.attempt },
    });
    await new Promise((r) => setTimeout(r, directive.seconds * 1000));
  }
}

function conditions(file: FileDirective): string {
  const parts = [file.round !== undefined ? `round ${file.round}` : '', file.choice ? `if "${file.choice}"` : ''];
  const text = parts.filter(Boolean).join(', ');
  return text ? ` (${text})` : '';
}
