// What a Budget's Conditions and change Events say, from its standing and
// the limits decision: Valid, Exceeded, Warning and IncreasePending, each with
// a CamelCase reason a script can match; and which of its calendar fields
// (time zone, week start, threshold) changed, for the audit. Pure.
import type { BudgetSpec } from '@nightshift/crds';
import { setCondition, type Condition, type ConditionUpdate } from '../kube/index.ts';
import { ANNOTATIONS } from '@nightshift/crds/contract';
import type { LimitChange } from './limits.ts';
import type { BudgetStanding } from './state.ts';

export function calendarChangesOf(
  row: { timezone: string; week_starts_on: string; alert_threshold: number },
  spec: BudgetSpec,
): LimitChange[] {
  const changes: LimitChange[] = [];
  for (const [field, from, to] of [
    ['timezone', row.timezone, spec.timezone],
    ['weekStartsOn', row.week_starts_on, spec.weekStartsOn],
    ['alertThreshold', String(row.alert_threshold), String(spec.alertThreshold)],
  ] as const) {
    if (from !== to) changes.push({ field, from, to, kind: 'Changed' });
  }
  return changes;
}

export function changeReason(change: LimitChange): string {
  switch (change.kind) {
    case 'Raised':
      return 'IncreaseApplied';
    case 'Lowered':
      return 'LimitLowered';
    case 'Created':
      return 'LimitsApplied';
    case 'Changed':
      return 'CalendarChanged';
  }
}

export function budgetConditions(
  previous: Condition[] | undefined,
  standing: BudgetStanding,
  decision: { pendingIncrease?: string; pendingMessage?: string },
  generation: number,
  at: Date,
): Condition[] {
  const exceeded = standing.reached.find((r) => r.kind === 'Exceeded');
  const threshold = standing.reached.find((r) => r.kind === 'Threshold');
  const scopeWord = (scope: 'daily' | 'weekly') => (scope === 'daily' ? 'Daily' : 'Weekly');
  const updates: ConditionUpdate[] = [
    { type: 'Valid', status: 'True', reason: 'Valid', message: '' },
    exceeded
      ? {
          type: 'Exceeded',
          status: 'True',
          reason: `${scopeWord(exceeded.scope)}LimitReached`,
          message: exceeded.message,
        }
      : { type: 'Exceeded', status: 'False', reason: 'WithinLimits', message: '' },
    threshold
      ? {
          type: 'Warning',
          status: 'True',
          reason: `${scopeWord(threshold.scope)}ThresholdReached`,
          message: threshold.message,
        }
      : { type: 'Warning', status: 'False', reason: 'BelowThreshold', message: '' },
    decision.pendingIncrease
      ? {
          type: 'IncreasePending',
          status: 'True',
          reason: 'ConfirmationRequired',
          message: `${decision.pendingMessage}: annotate ${ANNOTATIONS.confirmIncrease}=${decision.pendingIncrease}`,
        }
      : { type: 'IncreasePending', status: 'False', reason: 'NothingPending', message: '' },
  ];
  let conditions = previous ?? [];
  for (const u of updates) conditions = setCondition(conditions, { ...u, observedGeneration: generation }, at);
  return conditions;
}
