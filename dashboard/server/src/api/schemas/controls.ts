// The bodies of the controls (each a spec patch at a resourceVersion) and
// the batch decision answer.
import { z } from 'zod';
import { agentSchema, repositorySchema, scheduleSchema, storySchema, verifySchema } from '@nightshift/crds';
import { dnsLabel, objectName, resourceVersionSchema } from './common.ts';

export const pauseBody = z.object({
  resourceVersion: resourceVersionSchema,
  mode: z.enum(['Graceful', 'Immediate']).default('Graceful').meta({
    description: 'Graceful: the step in flight finishes and is checkpointed; Immediate: the pod stops now.',
  }),
});
export const resumeBody = z.object({ resourceVersion: resourceVersionSchema });
export const abortBody = z.object({
  resourceVersion: resourceVersionSchema,
  keepWork: z.boolean().default(false).meta({ description: 'Push the work-in-progress branch before cleaning up.' }),
});
export const reprioritizeBody = z
  .object({
    resourceVersion: resourceVersionSchema,
    priority: z.int().min(-1000).max(1000).optional(),
    position: z.int().min(-1000000).max(1000000).nullable().optional().meta({
      description: 'Order within its priority (lower first); null clears it.',
    }),
    moveToFront: z.boolean().optional().meta({
      description: 'Set position below the lowest in its queue (within its priority).',
    }),
    skip: z.boolean().optional(),
  })
  .refine((b) => b.priority !== undefined || b.position !== undefined || b.moveToFront || b.skip !== undefined, {
    message: 'name at least one of priority, position, moveToFront, skip',
    path: ['priority'],
  })
  .refine((b) => !(b.moveToFront && b.position !== undefined), {
    message: 'moveToFront and position exclude each other',
    path: ['moveToFront'],
  });

export const createStoryBody = z
  .object({
    namespace: dnsLabel,
    name: objectName.max(63).optional().meta({ description: 'Defaults to the story id, lower-cased.' }),
    story: storySchema,
    repository: repositorySchema,
    agent: agentSchema.optional(),
    verify: verifySchema.optional(),
    queueRef: objectName.optional(),
    budgetRef: objectName.optional(),
    priority: z.int().min(-1000).max(1000).optional(),
    maxCostUSD: z.number().min(0).max(1_000_000).optional(),
    confidenceThreshold: z.number().min(0).max(1).optional(),
    backoffLimit: z.int().min(0).max(20).optional(),
  })
  .meta({ id: 'NewStory' });
export type CreateStoryBody = z.infer<typeof createStoryBody>;

export const decisionAnswerItem = z.object({
  namespace: dnsLabel,
  name: objectName,
  id: z.string().min(1).max(253).meta({ description: 'The decision id (status.pendingDecision.id).' }),
  choice: z.string().min(1).max(1024),
  comment: z.string().max(65536).optional(),
  resourceVersion: resourceVersionSchema,
});
export const decideBody = z.object({ decisions: z.array(decisionAnswerItem).min(1).max(100) });
export type DecisionAnswerItem = z.infer<typeof decisionAnswerItem>;

export const CONTROL_RESULTS = ['applied', 'unchanged', 'conflict', 'notFound', 'invalid', 'failed'] as const;
export const decisionResultSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  id: z.string(),
  result: z.enum(CONTROL_RESULTS),
  status: z.int().meta({ description: 'The HTTP status this item alone would have had.' }),
  detail: z.string().optional(),
  resourceVersion: z.string().nullable().meta({ description: "The StoryRun's resourceVersion after this item." }),
});
export const decideResponse = z
  .object({
    results: z.array(decisionResultSchema).meta({ description: 'One per requested decision, in request order.' }),
  })
  .meta({ id: 'DecisionResults' });

export const queuePauseBody = z.object({
  resourceVersion: resourceVersionSchema,
  pauseRunning: z.enum(['Graceful', 'Immediate']).optional().meta({
    description: "Also pause the queue's stories that run now (each a StoryRun spec patch); unset: they go on.",
  }),
});
export const queueResumeBody = z.object({ resourceVersion: resourceVersionSchema });
export const queueEditBody = z
  .object({
    resourceVersion: resourceVersionSchema,
    maxParallel: z.int().min(0).max(1000).optional(),
    maxParallelPerRepository: z.int().min(1).max(1000).nullable().optional(),
  })
  .refine((b) => b.maxParallel !== undefined || b.maxParallelPerRepository !== undefined, {
    message: 'name maxParallel or maxParallelPerRepository',
    path: ['maxParallel'],
  });
export const scheduleBody = z.object({
  resourceVersion: resourceVersionSchema,
  schedule: scheduleSchema.nullable().meta({ description: 'The whole schedule; null removes it (always open).' }),
});
export const overrideBody = z.object({
  resourceVersion: resourceVersionSchema,
  override: z.enum(['None', 'ForceRun', 'ForceStop']),
});

export const budgetEditBody = z
  .object({
    resourceVersion: resourceVersionSchema,
    dailyLimitUSD: z.number().min(0).max(1_000_000).nullable().optional(),
    weeklyLimitUSD: z.number().min(0).max(1_000_000).nullable().optional(),
    alertThreshold: z.number().min(0).max(1).optional(),
    confirm: z.boolean().default(false).meta({
      description:
        'The person confirmed an increase (a raised or removed limit): sets the confirmation annotation with the edit. Required for an increase.',
    }),
  })
  .refine((b) => b.dailyLimitUSD !== undefined || b.weeklyLimitUSD !== undefined || b.alertThreshold !== undefined, {
    message: 'name dailyLimitUSD, weeklyLimitUSD or alertThreshold',
    path: ['dailyLimitUSD'],
  });
export const budgetExtensionBody = z.object({
  resourceVersion: resourceVersionSchema,
  amountUSD: z.number().min(0).max(1_000_000),
  period: z.enum(['Today', 'ThisWeek']).default('Today'),
  reason: z.string().min(1).max(1024),
  confirm: z.literal(true).meta({ description: 'An extension is an increase: the person must confirm it.' }),
});
export const budgetConfirmBody = z.object({ resourceVersion: resourceVersionSchema });
