// Budget: daily and weekly spending limits that WorkQueues (and the stories
// they admit) draw on, in the Budget's own time zone.
import { z } from 'zod';
import { cel, conditionsSchema, moneySchema, objectMetaSchema } from './meta.ts';
import { weekdaySchema } from './workqueue.ts';

export const extensionSchema = z
  .object({
    amountUSD: moneySchema('Extra spending allowed'),
    period: z
      .enum(['Today', 'ThisWeek'])
      .default('Today')
      .meta({ description: 'The period the extra amount applies to.' }),
    reason: z.string().min(1).max(1024).meta({ description: 'Why it was granted; kept in the audit.' }),
    grantedAt: z.iso.datetime({ offset: true }).optional().meta({
      description: 'When granted; the extension applies to the period containing this instant (defaults to creation).',
    }),
  })
  .meta(
    cel({ rule: 'self.amountUSD >= 0.0', message: 'extension amountUSD must be at least 0', fieldPath: '.amountUSD' }),
  );

export const budgetSpecSchema = z
  .object({
    dailyLimitUSD: moneySchema('Spending limit per day').optional(),
    weeklyLimitUSD: moneySchema('Spending limit per week').optional(),
    alertThreshold: z.number().default(0.8).meta({ description: 'Fraction of a limit (0..1) that raises a warning.' }),
    timezone: z.string().min(1).max(64).default('UTC').meta({ description: 'IANA time zone the periods follow.' }),
    weekStartsOn: weekdaySchema.default('Monday').meta({ description: 'First day of the week of weeklyLimitUSD.' }),
    extensions: z.array(extensionSchema).max(100).default([]).meta({
      description:
        'One-off extra allowances for today or this week; each waits for its confirmation like a raised limit.',
    }),
  })
  .meta({
    description: "Daily and weekly spending limits in the Budget's time zone, shared by every story that draws on it.",
    ...cel(
      {
        rule: '!has(self.dailyLimitUSD) || self.dailyLimitUSD >= 0.0',
        message: 'dailyLimitUSD must be at least 0',
        fieldPath: '.dailyLimitUSD',
      },
      {
        rule: '!has(self.weeklyLimitUSD) || self.weeklyLimitUSD >= 0.0',
        message: 'weeklyLimitUSD must be at least 0',
        fieldPath: '.weeklyLimitUSD',
      },
      {
        rule: 'self.alertThreshold >= 0.0 && self.alertThreshold <= 1.0',
        message: 'alertThreshold must be within 0..1',
        fieldPath: '.alertThreshold',
      },
    ),
  });
export type BudgetSpec = z.infer<typeof budgetSpecSchema>;

export const budgetStatusSchema = z
  .object({
    spentTodayUSD: z.number().optional().meta({ description: "Spent today, in the Budget's time zone (USD)." }),
    spentThisWeekUSD: z.number().optional().meta({ description: 'Spent this week (USD).' }),
    reservedUSD: z.number().optional().meta({ description: 'Held by model calls in flight (USD).' }),
    remainingTodayUSD: z.number().optional().meta({ description: "What today's limit still allows (USD)." }),
    state: z.enum(['Ok', 'Warning', 'Exceeded']).optional().meta({
      description: 'Ok; Warning past alertThreshold of a limit; Exceeded: nothing more is admitted or spent.',
    }),
    periodResetsAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'When the current day ends.' }),
    projectedTodayUSD: z
      .number()
      .optional()
      .meta({ description: "Today's spend rate so far, extrapolated to its end." }),
    projectedWeekUSD: z
      .number()
      .optional()
      .meta({ description: "This week's spend rate so far, extrapolated to its end (USD)." }),
    pendingIncrease: z
      .string()
      .optional()
      .meta({ description: 'A raised limit or an extension waiting for its confirmation annotation.' }),
    estimateMeanErrorUSD: z.number().optional().meta({ description: 'How far cost estimates were off, on average.' }),
    conditions: conditionsSchema.optional(),
    observedGeneration: z.int().optional().meta({ description: 'The spec generation this status describes.' }),
  })
  .meta({ description: 'What the operator observed: spend, state and projections.' });

export const budgetSchema = z.object({
  apiVersion: z.literal('nightshift.dev/v1alpha1'),
  kind: z.literal('Budget'),
  metadata: objectMetaSchema,
  spec: budgetSpecSchema,
  status: budgetStatusSchema.optional(),
});
export type Budget = z.infer<typeof budgetSchema>;
