// Stories as the API shows them: the list's summary and the detail.
import { z } from 'zod';
import { conditionSchema, storyRunPhaseSchema, storyRunSpecSchema, storyRunStatusSchema } from '@nightshift/crds';
import { DECISION_KINDS } from '@nightshift/crds/contract';
import { dnsLabel, objectName, page, pageQuery, time, usd } from './common.ts';
import { decisionViewSchema, reviewViewSchema } from './records.ts';

export const pullRequestRefSchema = z.object({ url: z.string(), number: z.int() });

export const storySummarySchema = z
  .object({
    namespace: z.string(),
    name: z.string(),
    uid: z.string(),
    resourceVersion: z.string(),
    createdAt: time.nullable(),
    storyId: z.string(),
    title: z.string(),
    repository: z.string(),
    backend: z.string(),
    queue: z.string().nullable(),
    priority: z.int(),
    position: z.int().nullable(),
    skip: z.boolean(),
    paused: z.boolean(),
    pauseMode: z.enum(['Graceful', 'Immediate']),
    abortRequested: z.boolean(),
    phase: storyRunPhaseSchema.nullable(),
    step: z.string().nullable(),
    message: z.string().nullable(),
    attempt: z.int(),
    costUSD: usd,
    maxCostUSD: usd.nullable(),
    estimateUSD: usd.nullable(),
    estimateP90USD: usd.nullable(),
    queuePosition: z.int().nullable(),
    pullRequest: pullRequestRefSchema.nullable(),
    pendingDecision: z.object({ id: z.string(), kind: z.enum(DECISION_KINDS), question: z.string() }).nullable(),
    startedAt: time.nullable(),
    completedAt: time.nullable(),
  })
  .meta({ id: 'StorySummary' });
export type StorySummary = z.infer<typeof storySummarySchema>;

export const storyListQuery = pageQuery.extend({
  namespace: dnsLabel.optional(),
  queue: objectName.optional().meta({ description: 'Only stories of this WorkQueue (spec.queueRef).' }),
  phase: z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'Comma-separated phases, e.g. Running,WaitingForHuman; "New" for stories without one.' }),
  q: z.string().max(200).optional().meta({ description: 'Text in the name, story id or title.' }),
});
export const storyPageSchema = page(storySummarySchema, 'StoryPage');

export const attemptSchema = z
  .object({
    attempt: z.int(),
    mode: z.string(),
    podName: z.string(),
    createdAt: time,
    runnerStartedAt: time.nullable(),
    endedAt: time.nullable(),
    step: z.string().nullable(),
    costUSD: usd,
    maxCostUSD: usd.nullable(),
    outcome: z.string().nullable(),
    outcomeDetail: z.record(z.string(), z.unknown()).nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'Attempt' });

export const podViewSchema = z
  .object({
    name: z.string(),
    uid: z.string(),
    attempt: z.int().nullable(),
    phase: z.string().nullable(),
    reason: z.string().nullable(),
    message: z.string().nullable(),
    nodeName: z.string().nullable(),
    startedAt: time.nullable(),
    terminating: z.boolean(),
    restarts: z.int(),
  })
  .meta({ id: 'Pod' });
export type PodView = z.infer<typeof podViewSchema>;

export const kubeEventSchema = z
  .object({
    type: z.string(),
    reason: z.string(),
    message: z.string(),
    count: z.int(),
    firstAt: time.nullable(),
    lastAt: time.nullable(),
  })
  .meta({ id: 'KubernetesEvent' });

export const storyDetailSchema = storySummarySchema
  .extend({
    generation: z.int().nullable(),
    spec: storyRunSpecSchema,
    status: storyRunStatusSchema.nullable(),
    conditions: z.array(conditionSchema),
    attempts: z.array(attemptSchema),
    pods: z.array(podViewSchema),
    events: z.array(kubeEventSchema),
    cost: z.object({
      spentUSD: usd,
      capUSD: usd.nullable(),
      estimateUSD: usd.nullable(),
      estimateP90USD: usd.nullable(),
    }),
    review: reviewViewSchema.nullable(),
    decision: decisionViewSchema.nullable().meta({ description: 'The pending decision with its full context.' }),
  })
  .meta({ id: 'StoryDetail' });
export type StoryDetail = z.infer<typeof storyDetailSchema>;
