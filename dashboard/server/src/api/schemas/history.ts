// History: execution events, the replay of a story, the timeline and the
// aggregates.
import { z } from 'zod';
import { dnsLabel, objectName, time, usd } from './common.ts';
import { attemptSchema } from './stories.ts';

export const eventViewSchema = z
  .object({
    id: z.int().meta({ description: 'The execution event id (its own sequence).' }),
    storyUid: z.string(),
    sessionId: z.string().nullable(),
    at: time,
    source: z.enum(['operator', 'runner']),
    type: z.string(),
    step: z.string().nullable(),
    message: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'ExecutionEvent' });
export type EventView = z.infer<typeof eventViewSchema>;

const replayItem = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('agentCall'),
    at: time,
    purpose: z.string(),
    model: z.string().nullable(),
    inputTokens: z.int().nullable(),
    outputTokens: z.int().nullable(),
    costUSD: usd.nullable(),
    reservedUSD: usd.nullable(),
    durationMs: z.int().nullable(),
  }),
  z.object({
    type: z.literal('toolCall'),
    at: time,
    tool: z.string(),
    ok: z.boolean(),
    durationMs: z.int(),
    changed: z.string().nullable(),
  }),
  z.object({
    type: z.literal('decision'),
    at: time,
    by: z.enum(['auto', 'human']),
    decisionId: z.string().nullable(),
    kind: z.string(),
    question: z.string().nullable(),
    choice: z.string().nullable(),
    detail: z.string().nullable(),
  }),
  z.object({
    type: z.literal('commit'),
    at: time,
    sha: z.string(),
    files: z.array(z.object({ status: z.string(), path: z.string(), diff: z.string().nullable() })),
  }),
  z.object({
    type: z.literal('verify'),
    at: time,
    passed: z.boolean(),
    command: z.array(z.string()),
    exitCode: z.int().nullable(),
    durationMs: z.int(),
    output: z.string(),
  }),
  z.object({ type: z.literal('review'), at: time, verdict: z.string(), summary: z.string() }),
  z.object({
    type: z.literal('event'),
    at: time,
    source: z.string(),
    name: z.string(),
    message: z.string().nullable(),
  }),
]);
export type ReplayItem = z.infer<typeof replayItem>;

export const replayStepSchema = z.object({
  node: z.string(),
  step: z.string(),
  attempt: z.int(),
  visit: z.int(),
  startedAt: time,
  finishedAt: time.nullable(),
  durationMs: z.int().nullable(),
  costUSD: usd,
  items: z.array(replayItem),
});
export type ReplayStep = z.infer<typeof replayStepSchema>;

export const replaySchema = z
  .object({
    story: z.object({ namespace: z.string(), name: z.string(), uid: z.string(), title: z.string().nullable() }),
    attempts: z.array(attemptSchema),
    before: z.array(replayItem).meta({ description: 'What happened before the first step (admission, pod start).' }),
    steps: z.array(replayStepSchema),
    totals: z.object({
      costUSD: usd,
      agentCalls: z.int(),
      toolCalls: z.int(),
      inputTokens: z.int(),
      outputTokens: z.int(),
      durationMs: z.int().nullable(),
      humanDecisions: z.int(),
      autoDecisions: z.int(),
    }),
  })
  .meta({ id: 'Replay' });
export type Replay = z.infer<typeof replaySchema>;

export const timelineQuery = z.object({
  from: time.optional().meta({ description: 'Start of the range (default: 24 hours before to).' }),
  to: time.optional().meta({ description: 'End of the range (default: now).' }),
  namespace: dnsLabel.optional(),
  queue: objectName.optional(),
});
export const timelineSpanSchema = z.object({
  kind: z.enum(['step', 'pause', 'waiting']),
  name: z.string(),
  attempt: z.int().nullable(),
  start: time,
  end: time.nullable().meta({ description: 'null: still open at the end of the range.' }),
});
export const timelineLaneSchema = z.object({
  uid: z.string(),
  namespace: z.string().nullable(),
  name: z.string().nullable(),
  title: z.string().nullable(),
  queue: z.string().nullable(),
  spans: z.array(timelineSpanSchema),
  markers: z.array(z.object({ at: time, type: z.string(), message: z.string().nullable() })),
  cost: z.array(z.object({ at: time, totalUSD: usd })).meta({ description: 'Cost accumulated over time.' }),
});
export type TimelineLane = z.infer<typeof timelineLaneSchema>;
export const timelineSchema = z
  .object({
    from: time,
    to: time,
    lanes: z.array(timelineLaneSchema),
    maxParallel: z.int().meta({ description: 'Most stories in a step at once within the range.' }),
    truncated: z.boolean().meta({ description: 'More events than one answer holds: narrow the range.' }),
  })
  .meta({ id: 'Timeline' });

export const aggregatesQuery = z.object({
  timezone: z.string().max(64).default('UTC').meta({ description: 'IANA time zone whose days the figures follow.' }),
  days: z.coerce.number().int().min(1).max(90).default(30),
});
export const dayFiguresSchema = z.object({
  day: z.iso.date(),
  succeeded: z.int(),
  failed: z.int(),
  aborted: z.int(),
  costUSD: usd,
});
export const aggregatesSchema = z
  .object({
    timezone: z.string(),
    today: z.object({
      day: z.iso.date(),
      succeeded: z.int(),
      failed: z.int(),
      aborted: z.int(),
      running: z.int(),
      waiting: z.int().meta({ description: 'Waiting for a human.' }),
      paused: z.int(),
      queued: z.int(),
      costUSD: usd,
      budget: z.object({
        dailyLimitUSD: usd.nullable().meta({ description: 'Sum of the daily limits of the Budgets seen.' }),
        spentTodayUSD: usd,
        remainingUSD: usd.nullable(),
      }),
      throughputPerHour: z.number().meta({ description: 'Stories finished per hour since midnight.' }),
      finishedLastHour: z.int(),
    }),
    days: z.array(dayFiguresSchema).meta({ description: 'One per day, oldest first, today last.' }),
  })
  .meta({ id: 'Aggregates' });
