import assert from 'node:assert/strict';
import { calcPrice } from '@pydantic/genai-prices';
import { inputTokenBound, Pricing, REQUEST_OVERHEAD_TOKENS } from './pricing.ts';

describe('pricing', () => {
  const pricing = new Pricing({ 'acme-private-1': { input_mtok: 1, output_mtok: 2 } });

  it('prices usage with genai-prices', () => {
    const usage = { input_tokens: 1000, output_tokens: 500 };
    assert.equal(
      pricing.price('claude-sonnet-4-5', 'anthropic', usage),
      calcPrice(usage, 'claude-sonnet-4-5', { providerId: 'anthropic' })!.total_price,
    );
    assert.ok(Math.abs(pricing.price('claude-sonnet-4-5', 'anthropic', usage)! - 0.0105) < 1e-12);
  });

  it('uses a configured price for a private model', () => {
    assert.equal(pricing.price('acme-private-1', undefined, { input_tokens: 1_000_000, output_tokens: 1_000_000 }), 3);
  });

  it('has no price, hence no bound, for an unknown model', () => {
    assert.equal(pricing.price('acme-unknown', 'openai', { input_tokens: 1, output_tokens: 1 }), undefined);
    assert.equal(pricing.worstCase('acme-unknown', 'openai', 100, 100), undefined);
  });

  it('bounds a call from its request bytes and max_tokens, at the dearer of plain and cache-write input', () => {
    assert.equal(inputTokenBound(1000), 1000 + REQUEST_OVERHEAD_TOKENS);
    const worst = pricing.worstCase('claude-sonnet-4-5', 'anthropic', 4000, 1000)!;
    const input = 4000 + REQUEST_OVERHEAD_TOKENS;
    const cacheWrite = calcPrice(
      { input_tokens: input, cache_write_tokens: input, output_tokens: 1000 },
      'claude-sonnet-4-5',
      { providerId: 'anthropic' },
    )!.total_price;
    assert.equal(worst, cacheWrite);
    assert.ok(worst >= pricing.price('claude-sonnet-4-5', 'anthropic', { input_tokens: 4000, output_tokens: 1000 })!);
  });

  it('bounds a long request at the long-context tier', () => {
    const short = pricing.worstCase('claude-sonnet-4-5', 'anthropic', 100_000, 0)!;
    const long = pricing.worstCase('claude-sonnet-4-5', 'anthropic', 300_000, 0)!;
    assert.ok(long / 300_000 > (short / 100_000) * 1.5, 'input above 200k tokens is priced higher per token');
  });
});
