import assert from 'node:assert/strict';
import { confirmIncreaseValue } from './budget-confirmation.ts';

describe('contract: budget increase confirmation', () => {
  const cases: [string, Parameters<typeof confirmIncreaseValue>[0], string][] = [
    [
      'limits and no extensions',
      { dailyLimitUSD: 50, weeklyLimitUSD: 100, extensions: [] },
      'dailyLimitUSD=50,weeklyLimitUSD=100,extensions=0@7',
    ],
    ['an unset limit', { dailyLimitUSD: 25, extensions: [] }, 'dailyLimitUSD=25,weeklyLimitUSD=none,extensions=0@7'],
    [
      'cents survive, float noise does not',
      { dailyLimitUSD: 0.1 + 0.2, weeklyLimitUSD: 12.5, extensions: [] },
      'dailyLimitUSD=0.3,weeklyLimitUSD=12.5,extensions=0@7',
    ],
    [
      'extensions are counted',
      {
        dailyLimitUSD: 10,
        extensions: [
          { amountUSD: 5, period: 'Today', reason: 'release' },
          { amountUSD: 1, period: 'ThisWeek', reason: 'x' },
        ],
      },
      'dailyLimitUSD=10,weeklyLimitUSD=none,extensions=2@7',
    ],
  ];
  for (const [what, spec, value] of cases) it(what, () => assert.equal(confirmIncreaseValue(spec, 7), value));

  it('changes with every increase, so an old confirmation never confirms a newer one', () => {
    const spec = { dailyLimitUSD: 25, weeklyLimitUSD: 100, extensions: [] };
    const before = confirmIncreaseValue(spec, 3);
    assert.notEqual(before, confirmIncreaseValue({ ...spec, dailyLimitUSD: 26 }, 3));
    assert.notEqual(before, confirmIncreaseValue({ ...spec, weeklyLimitUSD: 101 }, 3));
    assert.notEqual(
      before,
      confirmIncreaseValue(spec, 5),
      'the same values raised again later need a new confirmation',
    );
  });
});
