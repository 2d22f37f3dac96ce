import assert from 'node:assert/strict';
import { DirectiveError, fencedBlocks, forRound, parseDirectives } from './directives.ts';

const f = '```';

describe('scripted agent directives', () => {
  it('reads write/append/delete blocks with their content and conditions', () => {
    const d = parseDirectives(
      [
        'Some prose.',
        `${f}write src/a.js`,
        'line 1',
        '',
        'line 3',
        f,
        `${f}append NOTES.md round=2`,
        '- more',
        f,
        `${f}delete old.txt choice=formal`,
        f,
        `${f}js`,
        'not a directive',
        f,
      ].join('\n'),
    );
    assert.deepEqual(d.files, [
      { op: 'write', path: 'src/a.js', content: 'line 1\n\nline 3\n' },
      { op: 'append', path: 'NOTES.md', content: '- more\n', round: 2 },
      { op: 'delete', path: 'old.txt', content: '', choice: 'formal' },
    ]);
  });

  it('keeps a longer fence open across a shorter one, and strips the fence indentation', () => {
    const blocks = fencedBlocks(['  ````write x.md', '  ```', '  inner', '  ```', '  ````'].join('\n'));
    assert.deepEqual(blocks, [{ info: 'write x.md', body: '```\ninner\n```\n', line: 1 }]);
  });

  it('reads questions and settings', () => {
    const d = parseDirectives(
      [
        `${f}ask`,
        'question: Which style?',
        'options: casual, formal',
        'recommendation: casual',
        'context: Casual is what the tests expect.',
        'More context.',
        f,
        `${f}nightshift`,
        'confidence: 0.3, 0.9',
        'review: comment, approve',
        'calls: 5',
        'calls-parallel: 3',
        'call-model: gpt-4o-mini',
        'slow: implement 2.5s attempt=1',
        'silent: plan 900s attempt=1',
        f,
      ].join('\n'),
    );
    assert.deepEqual(d.asks, [
      {
        question: 'Which style?',
        options: ['casual', 'formal'],
        recommendation: 'casual',
        context: 'Casual is what the tests expect.\nMore context.',
      },
    ]);
    assert.deepEqual(d.confidence, [0.3, 0.9]);
    assert.deepEqual(d.review, ['comment', 'approve']);
    assert.deepEqual(d.calls, {
      count: 5,
      parallel: 3,
      inputTokens: 1000,
      outputTokens: 500,
      latencyMs: 20,
      model: 'gpt-4o-mini',
    });
    assert.deepEqual(d.slow, [{ step: 'implement', seconds: 2.5, attempt: 1 }]);
    assert.deepEqual(d.silent, [{ step: 'plan', seconds: 900, attempt: 1 }]);
  });

  it('refuses what it does not understand, naming the line', () => {
    assert.throws(
      () => parseDirectives(`\n${f}nightshift\nconfidence: 2\n${f}`),
      /line 2.*expected a number in 0\.\.1/,
    );
    assert.throws(() => parseDirectives(`${f}nightshift\ncolour: red\n${f}`), /unknown setting "colour"/);
    assert.throws(() => parseDirectives(`${f}write\n${f}`), DirectiveError);
    assert.throws(() => parseDirectives(`${f}write a.txt when=now\n${f}`), /unknown attribute/);
    assert.throws(() => parseDirectives(`${f}nightshift\nslow: verify 3s\n${f}`), /<plan\|implement\|review>/);
    assert.throws(() => parseDirectives(`${f}ask\noptions: a, b\n${f}`), /"question:" is required/);
  });

  it('repeats the last per-round value', () => {
    assert.equal(forRound([0.3, 0.9], 1), 0.3);
    assert.equal(forRound([0.3, 0.9], 5), 0.9);
    assert.equal(forRound([], 1), undefined);
  });
});
