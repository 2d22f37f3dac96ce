import assert from 'node:assert/strict';
import { budgetAlertRowSchema } from '@nightshift/crds/contract';
import { notificationOfBudgetAlert } from './budget-alerts.ts';

const row = (kind: 'Threshold' | 'Exceeded', periodStart: string, id = '1') =>
  budgetAlertRowSchema.omit({ notified_at: true }).parse({
    id,
    budget_key: 'team-a/team-budget',
    scope: 'daily',
    period_start: new Date(periodStart),
    kind,
    spent_usd: '8.200000',
    limit_usd: '10.000000',
    message: '82% of the daily limit',
    created_at: new Date('2026-11-25T10:00:00Z'),
  });

describe('notificationOfBudgetAlert', () => {
  it('a Threshold row is a BudgetThreshold notification about the Budget and its period', () => {
    const found = notificationOfBudgetAlert(row('Threshold', '2026-11-24T23:00:00Z'));
    assert.deepEqual(found.notification, {
      kind: 'BudgetThreshold',
      budget: { namespace: 'team-a', name: 'team-budget' },
      scope: 'daily',
      periodStart: '2026-11-24T23:00:00.000Z',
      spentUSD: 8.2,
      limitUSD: 10,
      message: '82% of the daily limit',
    });
  });

  it('the fingerprint names the period: one alert per period, the next period alerts again', () => {
    const a = notificationOfBudgetAlert(row('Threshold', '2026-11-24T23:00:00Z', '1'));
    const again = notificationOfBudgetAlert(row('Threshold', '2026-11-24T23:00:00Z', '2'));
    const next = notificationOfBudgetAlert(row('Threshold', '2026-11-25T23:00:00Z', '3'));
    assert.equal(a.fingerprint, again.fingerprint);
    assert.notEqual(a.fingerprint, next.fingerprint);
  });

  it('an Exceeded row is a critical BudgetExceeded', () => {
    assert.equal(
      notificationOfBudgetAlert(row('Exceeded', '2026-11-24T23:00:00Z')).notification.kind,
      'BudgetExceeded',
    );
  });

  it('refuses a budget key that is not <namespace>/<name>', () => {
    assert.throws(
      () =>
        budgetAlertRowSchema
          .omit({ notified_at: true })
          .parse({ ...row('Threshold', '2026-11-24T23:00:00Z'), budget_key: 'team-budget' }),
      /<namespace>\/<name>/,
    );
  });
});
