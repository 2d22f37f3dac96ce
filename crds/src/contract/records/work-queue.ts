// The admission ledger of WorkQueues: work_queue (one row per queued story;
// Admitted = it holds a slot, claimed by one operator's daemon run),
// story_holds (a queue or a budget pausing a story without touching its
// spec.paused) and queue_events (what happened to a queue as a whole, e.g. an
// auto-pause, for the notifier).
import { z } from 'zod';
import { defineTable, timestampColumn, uuidColumn } from './table.ts';

export const WORK_QUEUE_STATES = ['Queued', 'Admitted', 'Released'] as const;
export type WorkQueueRowState = (typeof WORK_QUEUE_STATES)[number];

export const workQueueRowSchema = z.object({
  story_uid: uuidColumn,
  namespace: z.string(),
  name: z.string(),
  queue_name: z.string().nullable(),
  priority: z.int(),
  state: z.enum(WORK_QUEUE_STATES),
  repository: z.string(),
  position: z.int().min(1).nullable(),
  claimed_by: uuidColumn.nullable(),
  enqueued_at: timestampColumn,
  admitted_at: timestampColumn.nullable(),
  released_at: timestampColumn.nullable(),
  release_reason: z.string().nullable(),
});
export type WorkQueueRow = z.infer<typeof workQueueRowSchema>;
export const WORK_QUEUE_COLUMNS = Object.keys(workQueueRowSchema.shape).join(', ');
export const workQueueRows = defineTable('work_queue', workQueueRowSchema, (row) => row.story_uid);

/** Reasons a hold is placed for; the StoryRun's Paused condition shows it. */
export const HOLD_REASONS = ['ScheduleClosed', 'BudgetExceeded'] as const;

export const storyHoldRowSchema = z.object({
  story_uid: uuidColumn,
  reason: z.string().regex(/^[A-Z][A-Za-z0-9]*$/),
  namespace: z.string(),
  queue_name: z.string().nullable(),
  message: z.string(),
  held_at: timestampColumn,
});
export type StoryHoldRow = z.infer<typeof storyHoldRowSchema>;
export const STORY_HOLD_COLUMNS = Object.keys(storyHoldRowSchema.shape).join(', ');
export const storyHolds = defineTable('story_holds', storyHoldRowSchema, (row) => `${row.story_uid}/${row.reason}`);

/** Queue event types and their data; loose objects so a newer writer may add fields. */
export const queueEventDataSchemas = {
  /** spec.autoPause: this many stories failed within the window; the queue's spec.paused was set. */
  AutoPaused: z.looseObject({
    failures: z.array(z.object({ name: z.string(), uid: z.string(), reason: z.string(), failedAt: z.string() })),
    withinMinutes: z.int(),
  }),
} as const;
export type QueueEventType = keyof typeof queueEventDataSchemas;

export const queueEventRowSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  namespace: z.string(),
  queue_name: z.string(),
  type: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
  occurred_at: timestampColumn,
  /** When the operator acted on it (an AutoPaused: spec.paused set). */
  applied_at: timestampColumn.nullable(),
  idempotency_key: z.string(),
});
export const QUEUE_EVENT_COLUMNS = Object.keys(queueEventRowSchema.shape).join(', ');
export const queueEvents = defineTable('queue_events', queueEventRowSchema, (row) => row.id);
