// The Budget tables: the limits in force (budgets, budget_extensions), every
// change of them (budget_changes), the alerts raised once per period and
// limit (budget_alerts, the notifier's outbox) and the cost estimate of every
// story beside its actual cost (cost_estimates).
import { z } from 'zod';
import { WEEKDAYS } from '../../workqueue.ts';
import { defineTable, numericColumn, timestampColumn, uuidColumn } from './table.ts';

export const BUDGET_PERIOD_SCOPES = ['daily', 'weekly'] as const;
export const BUDGET_ALERT_KINDS = ['Threshold', 'Exceeded'] as const;
export const BUDGET_CHANGE_KINDS = ['Created', 'Lowered', 'Raised', 'Changed'] as const;

const bigintId = z.union([z.string(), z.number()]).transform(String);

/** '<namespace>/<name>': how the ledger names a Budget (budget_windows.scope_key of its day and week). */
export const budgetKey = (namespace: string, name: string) => `${namespace}/${name}`;

export const budgetRowSchema = z.object({
  key: z.string(),
  namespace: z.string(),
  name: z.string(),
  uid: uuidColumn.nullable(),
  timezone: z.string(),
  week_starts_on: z.enum(WEEKDAYS),
  daily_limit_usd: numericColumn.nullable(),
  weekly_limit_usd: numericColumn.nullable(),
  alert_threshold: numericColumn,
  generation: z.union([z.string(), z.number()]).transform(Number),
  updated_at: timestampColumn,
});
export type BudgetRow = z.infer<typeof budgetRowSchema>;
export const budgetRows = defineTable('budgets', budgetRowSchema, (row) => row.key);

export const budgetExtensionRowSchema = z.object({
  budget_key: z.string(),
  fingerprint: z.string(),
  scope: z.enum(BUDGET_PERIOD_SCOPES),
  period_start: timestampColumn,
  amount_usd: numericColumn,
  reason: z.string(),
  granted_at: timestampColumn,
});
export type BudgetExtensionRow = z.infer<typeof budgetExtensionRowSchema>;
export const budgetExtensionRows = defineTable(
  'budget_extensions',
  budgetExtensionRowSchema,
  (row) => `${String(row.budget_key)}:${String(row.fingerprint)}`,
);

export const budgetChangeRowSchema = z.object({
  id: bigintId,
  budget_key: z.string(),
  generation: z.union([z.string(), z.number()]).transform(Number),
  field: z.string(),
  from_value: z.string().nullable(),
  to_value: z.string().nullable(),
  kind: z.enum(BUDGET_CHANGE_KINDS),
  changed_by: z.string().nullable(),
  reason: z.string().nullable(),
  changed_at: timestampColumn,
});
export type BudgetChangeRow = z.infer<typeof budgetChangeRowSchema>;
export const budgetChangeRows = defineTable('budget_changes', budgetChangeRowSchema, (row) => row.id);

export const budgetAlertRowSchema = z.object({
  id: bigintId,
  budget_key: z.string().regex(/^[^/]+\/[^/]+$/, "expected '<namespace>/<name>'"),
  scope: z.enum(BUDGET_PERIOD_SCOPES),
  period_start: timestampColumn,
  kind: z.enum(BUDGET_ALERT_KINDS),
  spent_usd: numericColumn,
  limit_usd: numericColumn,
  message: z.string(),
  created_at: timestampColumn,
  notified_at: timestampColumn.nullable(),
});
export type BudgetAlertRow = z.infer<typeof budgetAlertRowSchema>;
export const budgetAlertRows = defineTable('budget_alerts', budgetAlertRowSchema, (row) => row.id);

export const costEstimateRowSchema = z.object({
  story_uid: uuidColumn,
  namespace: z.string(),
  name: z.string(),
  repository: z.string(),
  model: z.string(),
  criteria: z.int(),
  description_length: z.int(),
  budget_keys: z.array(z.string()),
  p50_usd: numericColumn,
  p90_usd: numericColumn,
  samples: z.int(),
  basis: z.string(),
  estimated_at: timestampColumn,
  actual_usd: numericColumn.nullable(),
  finished_at: timestampColumn.nullable(),
});
export type CostEstimateRow = z.infer<typeof costEstimateRowSchema>;
export const costEstimateRows = defineTable('cost_estimates', costEstimateRowSchema, (row) => row.story_uid);
