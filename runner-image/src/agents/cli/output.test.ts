import assert from 'node:assert/strict';
import { parseCliOutput } from './output.ts';

describe('cli agent output', () => {
  it('collects cost lines, confidence, a question and a summary among other output', () => {
    const report = parseCliOutput(
      [
        'working...',
        '{"nightshift_cost": {"usd": 0.12, "input_tokens": 1000, "output_tokens": 200, "model": "m"}}',
        '  {"nightshift_cost": {"input_tokens": 10, "output_tokens": 2, "model": "m"}}',
        '{"nightshift_confidence": 0.8}',
        '{"nightshift_question": {"question": "Q?", "options": ["a"]}}',
        '{"nightshift_summary": "done"}',
        '{"nightshift_cost": {"usd": -1}}',
        '{"other": 1}',
      ].join('\n'),
    );
    assert.deepEqual(report.costs, [
      { usd: 0.12, input_tokens: 1000, output_tokens: 200, model: 'm' },
      { input_tokens: 10, output_tokens: 2, model: 'm' },
    ]);
    assert.equal(report.confidence, 0.8);
    assert.deepEqual(report.question, { question: 'Q?', options: ['a'], context: '' });
    assert.equal(report.summary, 'done');
    assert.deepEqual(report.malformed, ['{"nightshift_cost": {"usd": -1}}']);
  });
});
