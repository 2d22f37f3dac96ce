// A loopback stand-in for Anthropic's Messages API (POST /v1/messages): the
// production client (@langchain/anthropic → @anthropic-ai/sdk) talks to it
// unchanged. Replies come from a script; requests are recorded.
//
//   node hack/stand-ins/anthropic.ts --port 7081 --script replies.json [--api-key k]
import {
  runModelServerCli,
  startModelServer,
  type ModelServer,
  type ModelServerOptions,
  type Route,
  type ScriptedReply,
} from './model-server.ts';

export type { ModelServer, ScriptedReply } from './model-server.ts';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'not_found_error',
  500: 'api_error',
};

export const anthropicRoute: Route = {
  path: '/v1/messages',
  check(body) {
    const problems: string[] = [];
    if (typeof body.model !== 'string' || body.model === '') problems.push('model: Field required');
    if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
      problems.push('max_tokens: Field required (an integer >= 1)');
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) problems.push('messages: Field required');
    else {
      (body.messages as { role?: unknown; content?: unknown }[]).forEach((m, i) => {
        if (m.role !== 'user' && m.role !== 'assistant') problems.push(`messages.${i}.role: must be user or assistant`);
        if (typeof m.content !== 'string' && !Array.isArray(m.content))
          problems.push(`messages.${i}.content: Field required`);
      });
    }
    if (body.stream === true) problems.push('stream: streaming is not supported by this stand-in');
    return problems;
  },
  answer(reply: ScriptedReply, body, index) {
    const content: unknown[] = [];
    if (reply.text !== undefined) content.push({ type: 'text', text: reply.text });
    (reply.toolCalls ?? []).forEach((call, i) =>
      content.push({ type: 'tool_use', id: call.id ?? `toolu_${index}_${i}`, name: call.name, input: call.arguments }),
    );
    return {
      id: `msg_standin_${index + 1}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: reply.toolCalls?.length ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: reply.usage.input_tokens,
        output_tokens: reply.usage.output_tokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    };
  },
  error(status, message) {
    return { type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } };
  },
  apiKeyOf(req) {
    const key = req.headers['x-api-key'];
    return typeof key === 'string' ? key : undefined;
  },
};

/** baseURL is what ChatAnthropic takes as anthropicApiUrl (the SDK appends /v1/messages). */
export function startAnthropicStandIn(options: ModelServerOptions): Promise<ModelServer> {
  return startModelServer(options, anthropicRoute, '');
}

if (import.meta.main) await runModelServerCli('anthropic', 7081, startAnthropicStandIn);
