// A loopback stand-in for OpenAI's Chat Completions API (POST
// /v1/chat/completions), tool calls and usage included: the production client
// (@langchain/openai → openai) talks to it unchanged, as to any
// OpenAI-compatible endpoint. Replies come from a script; requests are recorded.
//
//   node hack/stand-ins/openai.ts --port 7082 --script replies.json [--api-key k]
import {
  bearerToken,
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
  401: 'invalid_api_key',
  404: 'not_found',
  500: 'server_error',
};

export const openAIRoute: Route = {
  path: '/v1/chat/completions',
  check(body) {
    const problems: string[] = [];
    if (typeof body.model !== 'string' || body.model === '') problems.push("Missing required parameter: 'model'.");
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      problems.push("Missing required parameter: 'messages'.");
    } else {
      (body.messages as { role?: unknown }[]).forEach((m, i) => {
        if (!['system', 'developer', 'user', 'assistant', 'tool'].includes(String(m.role))) {
          problems.push(`Invalid value for 'messages[${i}].role'.`);
        }
      });
    }
    for (const key of ['max_tokens', 'max_completion_tokens']) {
      if (body[key] !== undefined && (!Number.isInteger(body[key]) || (body[key] as number) < 1)) {
        problems.push(`Invalid '${key}': expected an integer >= 1.`);
      }
    }
    if (body.stream === true) problems.push("Unsupported value: 'stream' is not supported by this stand-in.");
    return problems;
  },
  answer(reply: ScriptedReply, body, index) {
    const toolCalls = (reply.toolCalls ?? []).map((call, i) => ({
      id: call.id ?? `call_${index}_${i}`,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    }));
    return {
      id: `chatcmpl-standin-${index + 1}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: reply.text ?? null,
            refusal: null,
            ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          },
          logprobs: null,
          finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
        },
      ],
      usage: {
        prompt_tokens: reply.usage.input_tokens,
        completion_tokens: reply.usage.output_tokens,
        total_tokens: reply.usage.input_tokens + reply.usage.output_tokens,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
      },
      system_fingerprint: null,
    };
  },
  error(status, message) {
    return { error: { message, type: ERROR_TYPES[status] ?? 'server_error', param: null, code: null } };
  },
  apiKeyOf: bearerToken,
};

/** baseURL ends in /v1, as OpenAI clients expect. */
export function startOpenAIStandIn(options: ModelServerOptions): Promise<ModelServer> {
  return startModelServer(options, openAIRoute, '/v1');
}

if (import.meta.main) await runModelServerCli('openai', 7082, startOpenAIStandIn);
