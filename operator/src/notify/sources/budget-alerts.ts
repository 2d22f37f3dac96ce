// Budget alerts (issue 15): the Budget controller records one budget_alerts
// row per Budget, limit (daily, weekly), period and kind (Threshold at
// spec.alertThreshold, Exceeded at the limit), keyed so it is raised once per
// period. This source reads them (with the contract's row schema) and sets
// their notified_at as it adds them to the outbox.
import type pg from 'pg';
import { budgetAlertRowSchema, defineTable } from '@nightshift/crds/contract';
import { readSequence, tableExists, type Found, type NotificationSource } from './source.ts';

const budgetAlerts = defineTable('budget_alerts', budgetAlertRowSchema.omit({ notified_at: true }), (row) => row.id);
type BudgetAlert = ReturnType<typeof budgetAlerts.parse>;

export function notificationOfBudgetAlert(alert: BudgetAlert): Found {
  const [namespace = '', name = ''] = alert.budget_key.split('/');
  const periodStart = alert.period_start.toISOString();
  const kind = alert.kind === 'Threshold' ? 'BudgetThreshold' : 'BudgetExceeded';
  return {
    key: `budget-alert/${alert.id}`,
    fingerprint: `${kind}/${alert.budget_key}/${alert.scope}/${periodStart}`,
    occurredAt: alert.created_at,
    notification: {
      kind,
      budget: { namespace, name },
      scope: alert.scope,
      periodStart,
      spentUSD: alert.spent_usd,
      limitUSD: alert.limit_usd,
      message: alert.message,
    },
  };
}

export const budgetAlertsSource: NotificationSource = {
  name: 'budget_alerts',
  async collect(db: pg.ClientBase) {
    if (!(await tableExists(db, 'budget_alerts'))) return [];
    const rows = await readSequence(
      db,
      { source: 'budget_alerts', table: 'budget_alerts', timeColumn: 'created_at' },
      async (after, limit) =>
        (
          await db.query(
            `select id::text, budget_key, scope, period_start, kind, spent_usd, limit_usd, message, created_at
               from budget_alerts where id > $1 order by id limit $2`,
            [after, limit],
          )
        ).rows as { id: string }[],
    );
    const alerts = budgetAlerts.parseAll(rows);
    // Issue 15's rows say when the notifier took them; the outbox row added with it says the rest.
    await db.query(
      'update budget_alerts set notified_at = now() where id = any($1::bigint[]) and notified_at is null',
      [alerts.map((a) => a.id)],
    );
    return alerts.map(notificationOfBudgetAlert);
  },
};
