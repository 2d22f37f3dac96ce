// What a model call costs: prices from @pydantic/genai-prices (tiers and cache
// rates included), overridable per model for private or unlisted models. A
// model without a known price has no bound, and callers must refuse the call.
import { RUNNER_ENV } from '@nightshift/crds/contract';
import { calcPrice, type Provider } from '@pydantic/genai-prices';
import type { ModelPrice } from '../config.ts';

/** Token counts as genai-prices reads them: input_tokens includes cache reads and writes. */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens?: number;
  cache_write_tokens?: number;
}

/**
 * Tokens a request can cost beyond its serialized bytes: the framing providers
 * add around messages and the tool-use system prompt (Anthropic documents
 * ~350 tokens for it). Every text token covers at least one UTF-8 byte, so
 * bytes + this allowance bounds the input tokens of a request.
 */
export const REQUEST_OVERHEAD_TOKENS = 1024;

export function inputTokenBound(requestBytes: number): number {
  return requestBytes + REQUEST_OVERHEAD_TOKENS;
}

export class Pricing {
  private readonly overrides: Provider | undefined;

  constructor(overrides: Record<string, ModelPrice> = {}) {
    const models = Object.entries(overrides).map(([id, prices]) => ({ id, match: { equals: id }, prices }));
    this.overrides =
      models.length > 0
        ? { id: 'nightshift-overrides', name: RUNNER_ENV.modelPrices, api_pattern: '.*', models }
        : undefined;
  }

  /** US dollars for this usage, or undefined when the model's price is unknown. */
  price(model: string, provider: string | undefined, usage: TokenUsage): number | undefined {
    const genaiUsage = { ...usage };
    if (this.overrides?.models.some((m) => m.id === model)) {
      return calcPrice(genaiUsage, model, { provider: this.overrides })?.total_price;
    }
    const result = calcPrice(genaiUsage, model, provider ? { providerId: provider } : {});
    return result?.total_price;
  }

  /**
   * The most a call can cost: every input token (bounded by the request's
   * bytes) billed at the higher of the plain and cache-write rate, and
   * max_tokens of output. undefined when the price is unknown.
   */
  worstCase(model: string, provider: string | undefined, requestBytes: number, maxTokens: number): number | undefined {
    const input = inputTokenBound(requestBytes);
    const plain = this.price(model, provider, { input_tokens: input, output_tokens: maxTokens });
    const cacheWrite = this.price(model, provider, {
      input_tokens: input,
      cache_write_tokens: input,
      output_tokens: maxTokens,
    });
    if (plain === undefined) return undefined;
    return Math.max(plain, cacheWrite ?? 0);
  }
}
