// WorkQueue: admits the StoryRuns that name it, in priority order, within
// maxParallel, its Budget and its schedule.
import { z } from 'zod';
import { cel, conditionsSchema, objectMetaSchema } from './meta.ts';

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export const weekdaySchema = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof weekdaySchema>;

const HH_MM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
const HH_MM_OR_24 = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';

export const scheduleWindowSchema = z
  .object({
    days: z
      .array(weekdaySchema)
      .min(1)
      .max(7)
      .default([...WEEKDAYS])
      .meta({
        description: 'Days the window opens on; a window that crosses midnight belongs to the day it opens.',
      }),
    start: z.string().max(5).meta({ description: 'Opening time HH:MM in the schedule time zone.' }),
    end: z
      .string()
      .max(5)
      .meta({ description: 'Closing time HH:MM (24:00 for end of day); before start means it crosses midnight.' }),
  })
  .meta(
    cel(
      {
        rule: `self.start.matches('${HH_MM}')`,
        message: 'start must be a time HH:MM (00:00-23:59)',
        fieldPath: '.start',
      },
      {
        rule: `self.end.matches('${HH_MM_OR_24}')`,
        message: 'end must be a time HH:MM (00:00-24:00)',
        fieldPath: '.end',
      },
      { rule: 'self.start != self.end', message: 'a window must not start and end at the same time' },
    ),
  );
export type ScheduleWindow = z.infer<typeof scheduleWindowSchema>;

export const blackoutSchema = z
  .object({
    start: z.iso
      .datetime({ offset: true })
      .max(64)
      .meta({ description: 'Start of the period (RFC 3339 with offset).' }),
    end: z.iso.datetime({ offset: true }).max(64).meta({ description: 'End of the period (RFC 3339 with offset).' }),
    reason: z.string().max(1024).optional().meta({ description: 'Why, for the people who see the queue closed.' }),
  })
  .meta(cel({ rule: 'timestamp(self.start) < timestamp(self.end)', message: 'a blackout must start before it ends' }));

export const scheduleSchema = z.object({
  timezone: z.string().min(1).max(64).default('UTC').meta({ description: 'IANA time zone, e.g. Europe/Berlin.' }),
  windows: z.array(scheduleWindowSchema).max(50).default([]).meta({
    description: 'When stories may start; no windows means always.',
  }),
  blackouts: z.array(blackoutSchema).max(100).default([]).meta({
    description: 'Do-not-disturb periods: nothing is admitted, and non-critical notifications wait until they end.',
  }),
  override: z.enum(['None', 'ForceRun', 'ForceStop']).default('None').meta({
    description: 'ForceRun: open whatever the windows say; ForceStop: closed whatever they say.',
  }),
  onClose: z.enum(['Finish', 'Pause']).default('Finish').meta({
    description: 'When a window closes: let running stories finish, or pause them gracefully until it opens again.',
  }),
});
export type Schedule = z.infer<typeof scheduleSchema>;

export const workQueueSpecSchema = z
  .object({
    maxParallel: z.int().default(1).meta({ description: 'Stories of this queue running at once.' }),
    paused: z.boolean().default(false).meta({ description: 'Admit nothing new; running stories go on.' }),
    budgetRef: z.string().max(253).optional().meta({ description: 'Name of a Budget in the same namespace.' }),
    schedule: scheduleSchema
      .optional()
      .meta({ description: 'When the queue admits stories; without a schedule, always.' }),
    maxParallelPerRepository: z.int().optional().meta({
      description: 'Stories of one repository running at once; unset: only maxParallel limits them.',
    }),
    autoPause: z
      .object({
        failures: z.int().default(3).meta({ description: 'Failed stories that pause the queue...' }),
        withinMinutes: z.int().default(60).meta({ description: '...when they fail within this many minutes.' }),
      })
      .default({ failures: 3, withinMinutes: 60 })
      .meta({ description: 'Repeated failures pause the queue (spec.paused) so nothing more is spent on them.' }),
  })
  .meta({
    description: 'Which stories start, how many at once, and when.',
    ...cel(
      { rule: 'self.maxParallel >= 0', message: 'maxParallel must be at least 0', fieldPath: '.maxParallel' },
      {
        rule: '!has(self.maxParallelPerRepository) || self.maxParallelPerRepository >= 1',
        message: 'maxParallelPerRepository must be at least 1',
        fieldPath: '.maxParallelPerRepository',
      },
      {
        rule: 'self.autoPause.failures >= 1 && self.autoPause.withinMinutes >= 1',
        message: 'autoPause.failures and autoPause.withinMinutes must be at least 1',
        fieldPath: '.autoPause',
      },
    ),
  });
export type WorkQueueSpec = z.infer<typeof workQueueSpecSchema>;

export const WORKQUEUE_STATES = [
  'Admitting',
  'Idle',
  'MaxParallelReached',
  'ScheduleClosed',
  'DoNotDisturb',
  'BudgetExceeded',
  'QueuePaused',
] as const;

export const workQueueStatusSchema = z
  .object({
    running: z.int().optional().meta({ description: 'Stories of this queue running now.' }),
    queued: z.int().optional().meta({ description: 'Stories waiting to be admitted.' }),
    admittedToday: z
      .int()
      .optional()
      .meta({ description: "Stories admitted since midnight (the schedule's time zone)." }),
    next: z.string().optional().meta({ description: 'The StoryRun admitted next.' }),
    state: z.enum(WORKQUEUE_STATES).optional().meta({ description: 'Why the queue admits, or why it admits nothing.' }),
    costTodayUSD: z.number().optional().meta({ description: "What the queue's stories spent today, together (USD)." }),
    scheduleOpen: z.boolean().optional().meta({ description: 'Whether the schedule lets stories start now.' }),
    nextScheduleChange: z.iso.datetime({ offset: true }).optional().meta({
      description: 'When the schedule next opens or closes.',
    }),
    conditions: conditionsSchema.optional(),
    observedGeneration: z.int().optional().meta({ description: 'The spec generation this status describes.' }),
  })
  .meta({ description: 'What the operator observed: running and queued stories, the next one, and why.' });

export const workQueueSchema = z.object({
  apiVersion: z.literal('nightshift.dev/v1alpha1'),
  kind: z.literal('WorkQueue'),
  metadata: objectMetaSchema,
  spec: workQueueSpecSchema,
  status: workQueueStatusSchema.optional(),
});
export type WorkQueue = z.infer<typeof workQueueSchema>;
