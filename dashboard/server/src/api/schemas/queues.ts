// WorkQueues and Budgets as the API shows them.
import { z } from 'zod';
import { budgetSpecSchema, budgetStatusSchema, workQueueSpecSchema, workQueueStatusSchema } from '@nightshift/crds';
import { dnsLabel, listOf, time } from './common.ts';
import { storySummarySchema } from './stories.ts';

export const queueViewSchema = z
  .object({
    namespace: z.string(),
    name: z.string(),
    uid: z.string(),
    resourceVersion: z.string(),
    createdAt: time.nullable(),
    spec: workQueueSpecSchema,
    status: workQueueStatusSchema.nullable(),
    counts: z.record(z.string(), z.int()).meta({ description: "Its stories by phase ('New' for none yet)." }),
  })
  .meta({ id: 'Queue' });
export type QueueView = z.infer<typeof queueViewSchema>;
export const queueDetailSchema = queueViewSchema
  .extend({ stories: z.array(storySummarySchema).meta({ description: 'Its stories in admission order.' }) })
  .meta({ id: 'QueueDetail' });

export const budgetViewSchema = z
  .object({
    namespace: z.string(),
    name: z.string(),
    uid: z.string(),
    resourceVersion: z.string(),
    createdAt: time.nullable(),
    spec: budgetSpecSchema,
    status: budgetStatusSchema.nullable(),
    confirmation: z.object({
      annotation: z.string().nullable().meta({ description: 'The confirmation the Budget carries now.' }),
      current: z.string().meta({ description: 'The confirmation its spec needs: equal means confirmed.' }),
      confirmed: z.boolean(),
    }),
    queues: z.array(z.string()).meta({ description: 'The WorkQueues that draw on it.' }),
  })
  .meta({ id: 'Budget' });
export type BudgetView = z.infer<typeof budgetViewSchema>;

export const queueListSchema = listOf(queueViewSchema, 'QueueList');
export const budgetListSchema = listOf(budgetViewSchema, 'BudgetList');
export const namespaceQuery = z.object({ namespace: dnsLabel.optional() });
