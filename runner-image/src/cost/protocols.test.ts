import assert from 'node:assert/strict';
import { meteredRequest, protocolOf, ProxyRequestError, usageOfResponse } from './protocols.ts';

describe('metering proxy protocols', () => {
  it('routes Anthropic Messages and OpenAI Chat Completions, nothing else', () => {
    assert.equal(protocolOf('POST', '/v1/messages'), 'anthropic');
    assert.equal(protocolOf('POST', '/v1/chat/completions'), 'openai');
    assert.equal(protocolOf('GET', '/v1/messages'), undefined);
    assert.equal(protocolOf('POST', '/v1/responses'), undefined);
  });

  const table: { what: string; protocol: 'anthropic' | 'openai'; body: object; maxTokens?: number; error?: RegExp }[] =
    [
      { what: 'keeps a given max_tokens', protocol: 'anthropic', body: { model: 'm', max_tokens: 50 }, maxTokens: 50 },
      { what: 'sets max_tokens when missing', protocol: 'anthropic', body: { model: 'm' }, maxTokens: 4096 },
      {
        what: 'OpenAI max_completion_tokens counts',
        protocol: 'openai',
        body: { model: 'm', max_completion_tokens: 9 },
        maxTokens: 9,
      },
      { what: 'OpenAI without a bound gets one', protocol: 'openai', body: { model: 'm' }, maxTokens: 4096 },
      { what: 'refuses a request without a model', protocol: 'openai', body: {}, error: /model: required/ },
      {
        what: 'refuses streaming (not metered yet)',
        protocol: 'anthropic',
        body: { model: 'm', stream: true },
        error: /stream/,
      },
      {
        what: 'refuses a bad max_tokens',
        protocol: 'anthropic',
        body: { model: 'm', max_tokens: -1 },
        error: /max_tokens/,
      },
    ];
  for (const row of table) {
    it(row.what, () => {
      const run = () => meteredRequest(row.protocol, JSON.stringify(row.body), 4096);
      if (row.error) {
        assert.throws(run, (e: Error) => e instanceof ProxyRequestError && row.error!.test(e.message));
        return;
      }
      const request = run();
      assert.equal(request.maxTokens, row.maxTokens);
      const field = 'max_completion_tokens' in row.body ? 'max_completion_tokens' : 'max_tokens';
      assert.equal(request.body[field], row.maxTokens, 'the forwarded body carries the bound');
    });
  }

  it("reads usage in genai-prices' terms: Anthropic cache tokens are added to the input", () => {
    assert.deepEqual(
      usageOfResponse('anthropic', {
        usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000 },
      }),
      { input_tokens: 1110, output_tokens: 5, cache_write_tokens: 100, cache_read_tokens: 1000 },
    );
    assert.deepEqual(
      usageOfResponse('openai', {
        usage: { prompt_tokens: 1200, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 1000 } },
      }),
      { input_tokens: 1200, output_tokens: 7, cache_read_tokens: 1000 },
    );
    assert.equal(usageOfResponse('openai', { choices: [] }), undefined, 'no usage: charged at the worst case');
  });
});
