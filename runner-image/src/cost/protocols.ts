// The two model protocols the metering proxy speaks, as pure functions: which
// model a request calls and with what max_tokens (set when the client left
// it out, so every call's worst case is bounded), and what the response says
// it used, in genai-prices' terms. Anthropic Messages and OpenAI Chat
// Completions, non-streaming.
import type { TokenUsage } from './pricing.ts';

export type Protocol = 'anthropic' | 'openai';

export interface MeteredRequest {
  protocol: Protocol;
  model: string;
  maxTokens: number;
  /** The body to forward (max_tokens added when it was missing). */
  body: Record<string, unknown>;
}

/** A request the proxy refuses before any reservation, with the client's field named. */
export class ProxyRequestError extends Error {
  override name = 'ProxyRequestError';
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

/** The routes: POST /v1/messages (Anthropic), POST /v1/chat/completions (OpenAI). */
export function protocolOf(method: string | undefined, path: string): Protocol | undefined {
  if (method !== 'POST') return undefined;
  if (path === '/v1/messages') return 'anthropic';
  if (path === '/v1/chat/completions') return 'openai';
  return undefined;
}

export function meteredRequest(protocol: Protocol, raw: string, defaultMaxTokens: number): MeteredRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new ProxyRequestError('the request body is not JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ProxyRequestError('the request body must be a JSON object');
  }
  const request = { ...(body as Record<string, unknown>) };
  if (typeof request.model !== 'string' || request.model === '') throw new ProxyRequestError('model: required');
  if (request.stream === true) {
    throw new ProxyRequestError(
      'stream: streaming responses are not metered by the Nightshift proxy yet; send stream: false',
    );
  }
  const field =
    protocol === 'openai' && request.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
  const given = request[field];
  if (given === undefined || given === null) {
    request[field] = defaultMaxTokens;
  } else if (!Number.isInteger(given) || (given as number) < 1) {
    throw new ProxyRequestError(`${field}: expected an integer >= 1`);
  }
  return { protocol, model: request.model, maxTokens: request[field] as number, body: request };
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/** The usage a successful response reports, or undefined when it reports none (charged at the worst case). */
export function usageOfResponse(protocol: Protocol, body: unknown): TokenUsage | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const usage = (body as { usage?: Record<string, unknown> }).usage;
  if (!usage || typeof usage !== 'object') return undefined;
  if (protocol === 'anthropic') {
    // Anthropic counts cache reads and writes apart from input_tokens; genai-prices wants them included.
    const input = count(usage.input_tokens);
    const output = count(usage.output_tokens);
    if (input === undefined || output === undefined) return undefined;
    const cacheWrite = count(usage.cache_creation_input_tokens) ?? 0;
    const cacheRead = count(usage.cache_read_input_tokens) ?? 0;
    return {
      input_tokens: input + cacheWrite + cacheRead,
      output_tokens: output,
      cache_write_tokens: cacheWrite,
      cache_read_tokens: cacheRead,
    };
  }
  const input = count(usage.prompt_tokens);
  const output = count(usage.completion_tokens);
  if (input === undefined || output === undefined) return undefined;
  const details = usage.prompt_tokens_details as Record<string, unknown> | undefined;
  return { input_tokens: input, output_tokens: output, cache_read_tokens: count(details?.cached_tokens) ?? 0 };
}

/** An error body in the protocol's own shape, so the client shows our message. */
export function errorBody(protocol: Protocol, status: number, message: string): unknown {
  if (protocol === 'anthropic') {
    const type = status === 401 ? 'authentication_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
    return { type: 'error', error: { type, message } };
  }
  const type = status === 401 ? 'invalid_api_key' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message, type, param: null, code: null } };
}
