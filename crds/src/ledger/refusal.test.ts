import assert from 'node:assert/strict';
import { refusalOf, type WindowState } from './ledger.ts';

const w = (scope: WindowState['scope'], limitUSD: number | null, spentUSD: number, reservedUSD = 0): WindowState => ({
  id: scope,
  scope,
  key: scope === 'story' ? 'uid' : 'ns/team',
  periodEnd: undefined,
  limitUSD,
  spentUSD,
  reservedUSD,
});

describe('refusalOf', () => {
  it('names the first window the amount does not fit', () => {
    assert.equal(refusalOf([w('story', 1, 0.99), w('daily', 10, 9.99)], 0.05).scope, 'story');
    assert.equal(refusalOf([w('story', null, 5), w('daily', 10, 9.99), w('weekly', 50, 9.99)], 0.05).scope, 'daily');
  });

  it('names the tightest window when calls settled between the refusal and the reading', () => {
    const r = refusalOf([w('story', null, 5), w('daily', 1, 0.9), w('weekly', 5, 0.9)], 0.05);
    assert.equal(r.scope, 'daily');
    assert.match(r.message, /Budget ns\/team's daily limit \$1\.000000/);
  });
});
