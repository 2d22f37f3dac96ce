// The langchain backend: a tool-calling agent loop over a LangChain chat model
// (Anthropic or any OpenAI-compatible endpoint). Every model call is metered
// (reserved before, settled after); tools only reach inside the worktree.
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AIMessage, BaseMessage } from '@langchain/core/messages';
import type {
  AgentContext,
  AgentQuestion,
  ImplementInput,
  ImplementResult,
  ReviewInput,
  ReviewResult,
  ReviewVerdict,
  StoryAgent,
} from '../agent.ts';
import { createChatModel, MODEL_CALL_RESERVATION_SECONDS, providerOf, requireApiKey, usageOf } from './models.ts';
import { IMPLEMENT_SYSTEM, implementPrompt, PLAN_SYSTEM, REVIEW_SYSTEM, reviewPrompt, storyText } from './prompts.ts';
import { executeTool, TOOL_DEFINITIONS } from './tools.ts';

type Messages = typeof import('@langchain/core/messages');

export class LangChainAgent implements StoryAgent {
  readonly name = 'langchain';
  private readonly ctx: AgentContext;
  private model: BaseChatModel | undefined;
  private messages: Messages | undefined;

  constructor(ctx: AgentContext) {
    requireApiKey(ctx.agent, ctx.apiKey); // before any work, not at the first model call
    this.ctx = ctx;
  }

  async plan(): Promise<string> {
    const m = await this.lib();
    const reply = await this.call('plan', 'plan', [
      new m.SystemMessage(PLAN_SYSTEM),
      new m.HumanMessage(storyText(this.ctx.story)),
    ]);
    return reply.text;
  }

  async implement(input: ImplementInput): Promise<ImplementResult> {
    const m = await this.lib();
    const messages: BaseMessage[] = [
      new m.SystemMessage(IMPLEMENT_SYSTEM),
      new m.HumanMessage(implementPrompt(this.ctx.story, input)),
    ];
    for (let turn = 1; turn <= this.ctx.agent.maxTurns; turn++) {
      const reply = await this.call('implement', `implement turn ${turn}`, messages, true);
      messages.push(reply);
      const calls = reply.tool_calls ?? [];
      if (calls.length === 0) return { summary: reply.text || 'The agent stopped without a summary.' };
      let finish: ImplementResult | undefined;
      for (const call of calls) {
        const args = call.args as Record<string, unknown>;
        if (call.name === 'finish') {
          finish = { summary: String(args.summary ?? ''), selfAssessment: clamp(args.confidence) };
          messages.push(new m.ToolMessage({ content: 'ok', tool_call_id: call.id ?? call.name }));
          continue;
        }
        if (call.name === 'ask_human') {
          finish = { summary: '', question: questionOf(args) };
          messages.push(new m.ToolMessage({ content: 'asked', tool_call_id: call.id ?? call.name }));
          continue;
        }
        const started = Date.now();
        const outcome = await executeTool(this.ctx.worktree.path, call.name, args);
        await this.ctx.events.record({
          type: 'ToolCall',
          step: 'implement',
          message: `${call.name}${typeof args.path === 'string' ? ` ${args.path}` : ''}`,
          data: { tool: call.name, ok: outcome.ok, durationMs: Date.now() - started, changed: outcome.changed ?? null },
        });
        messages.push(new m.ToolMessage({ content: outcome.output, tool_call_id: call.id ?? call.name }));
      }
      if (finish) return finish;
    }
    return {
      summary: `The agent used all ${this.ctx.agent.maxTurns} turns (spec.agent.maxTurns) without finishing.`,
      selfAssessment: 0.3,
    };
  }

  async review(input: ReviewInput): Promise<ReviewResult> {
    const m = await this.lib();
    const reply = await this.call('review', 'review', [
      new m.SystemMessage(REVIEW_SYSTEM),
      new m.HumanMessage(reviewPrompt(this.ctx.story, input)),
    ]);
    return parseReview(reply.text);
  }

  private async lib(): Promise<Messages> {
    this.messages ??= await import('@langchain/core/messages');
    this.model ??= await createChatModel(this.ctx.agent, this.ctx.apiKey);
    return this.messages;
  }

  private async call(step: string, purpose: string, messages: BaseMessage[], withTools = false): Promise<AIMessage> {
    const model = this.model!;
    const runnable = withTools && model.bindTools ? model.bindTools(TOOL_DEFINITIONS) : model;
    // Everything sent, serialized: its UTF-8 length bounds the input tokens (see cost/pricing.ts).
    const request = JSON.stringify({
      messages: messages.map((msg) => ({
        type: msg.type,
        content: msg.content,
        tool_calls: (msg as AIMessage).tool_calls,
      })),
      tools: withTools ? TOOL_DEFINITIONS : [],
    });
    return this.ctx.meter.call(
      {
        step,
        purpose,
        model: this.ctx.agent.model!,
        provider: providerOf(this.ctx.agent),
        requestBytes: Buffer.byteLength(request),
        maxTokens: this.ctx.agent.maxTokensPerCall,
        ttlSeconds: MODEL_CALL_RESERVATION_SECONDS,
      },
      async () => {
        const reply = (await runnable.invoke(messages)) as AIMessage;
        return { value: reply, usage: usageOf(reply) };
      },
    );
  }
}

function clamp(value: unknown): number | undefined {
  const n = Number(value);
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : undefined;
}

function questionOf(args: Record<string, unknown>): AgentQuestion {
  return {
    question: String(args.question ?? 'The agent needs a decision.'),
    options: Array.isArray(args.options) ? args.options.map(String) : [],
    recommendation: typeof args.recommendation === 'string' ? args.recommendation : undefined,
    context: String(args.context ?? ''),
  };
}

/** The reviewer's JSON verdict; anything unreadable counts as a comment, not an approval. */
export function parseReview(text: string): ReviewResult {
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  try {
    const parsed = JSON.parse(json ?? '') as { verdict?: string; summary?: string };
    const verdicts: ReviewVerdict[] = ['approve', 'comment', 'request_changes'];
    const verdict = verdicts.find((v) => v === parsed.verdict);
    if (verdict) return { verdict, summary: String(parsed.summary ?? '') };
  } catch {
    // fall through
  }
  return { verdict: 'comment', summary: `Unstructured review: ${text.slice(0, 500)}` };
}
