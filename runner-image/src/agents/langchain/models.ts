// The chat model for the langchain backend: Anthropic's Messages API or any
// OpenAI-compatible Chat Completions endpoint, always with max_tokens =
// spec.agent.maxTokensPerCall (it bounds the cost reserved before each call).
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AIMessage } from '@langchain/core/messages';
import { DEFAULT_SECRET_KEYS } from '@nightshift/crds/contract';
import { StoryFailure } from '../../errors.ts';
import type { TokenUsage } from '../../cost/pricing.ts';
import type { AgentSpec } from '../agent.ts';

export type Provider = 'anthropic' | 'openai';

/** Per request, and how often a failed one is retried: a call's reservation must outlive both. */
export const MODEL_CALL_TIMEOUT_MS = 10 * 60 * 1000;
export const MODEL_CALL_RETRIES = 1;
export const MODEL_CALL_RESERVATION_SECONDS = (MODEL_CALL_TIMEOUT_MS * (MODEL_CALL_RETRIES + 1)) / 1000 + 120;

export function providerOf(agent: AgentSpec): Provider {
  if (agent.provider) return agent.provider;
  return agent.model?.startsWith('claude') ? 'anthropic' : 'openai';
}

export async function createChatModel(agent: AgentSpec, apiKey: string | undefined): Promise<BaseChatModel> {
  if (!agent.model) throw new StoryFailure('InvalidAgent', 'spec.agent.model is required for the langchain backend');
  const key = requireApiKey(agent, apiKey);
  const common = { model: agent.model, maxTokens: agent.maxTokensPerCall, maxRetries: MODEL_CALL_RETRIES };
  if (providerOf(agent) === 'anthropic') {
    const { ChatAnthropic } = await import('@langchain/anthropic');
    return new ChatAnthropic({
      ...common,
      apiKey: key,
      clientOptions: { timeout: MODEL_CALL_TIMEOUT_MS },
      ...(agent.baseURL ? { anthropicApiUrl: agent.baseURL } : {}),
    });
  }
  // Chat Completions explicitly: ChatOpenAI would switch some models to the Responses API.
  const { ChatOpenAICompletions } = await import('@langchain/openai');
  return new ChatOpenAICompletions({
    ...common,
    apiKey: key,
    timeout: MODEL_CALL_TIMEOUT_MS,
    ...(agent.baseURL ? { configuration: { baseURL: agent.baseURL } } : {}),
  });
}

/** No key, no call: a placeholder key would only earn a 401 from the provider, retried to no end. */
export function requireApiKey(agent: AgentSpec, apiKey: string | undefined): string {
  if (apiKey) return apiKey;
  const ref = agent.credentialsSecretRef;
  const key = ref?.key ?? DEFAULT_SECRET_KEYS.agentApiKey;
  throw new StoryFailure(
    'MissingCredentials',
    ref
      ? `the langchain backend needs a provider API key, but key "${key}" of Secret ${ref.name} is empty (spec.agent.credentialsSecretRef)`
      : 'the langchain backend needs a provider API key: set spec.agent.credentialsSecretRef to a Secret holding it (key "apiKey")',
  );
}

/** usage_metadata in genai-prices' terms; undefined when the provider reported none. */
export function usageOf(message: AIMessage): TokenUsage | undefined {
  const u = message.usage_metadata;
  if (!u) return undefined;
  return {
    input_tokens: u.input_tokens,
    output_tokens: u.output_tokens,
    cache_read_tokens: u.input_token_details?.cache_read ?? 0,
    cache_write_tokens: u.input_token_details?.cache_creation ?? 0,
  };
}
