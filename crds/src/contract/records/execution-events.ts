// execution_events: append-only history, one row per event. id is the global
// sequence (bigserial) readers page and resume by.
import { z } from 'zod';
import {
  EVENT_SOURCES,
  isRunnerEventType,
  operatorEventDataSchema,
  runnerEventDataSchemas,
  type EventSource,
} from '../events.ts';
import { defineTable, timestampColumn, uuidColumn } from './table.ts';

export const executionEventRowSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  session_id: uuidColumn.nullable(),
  story_uid: uuidColumn,
  occurred_at: timestampColumn,
  source: z.enum(EVENT_SOURCES),
  type: z.string().min(1),
  step: z.string().nullable(),
  message: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  idempotency_key: z.string().nullable(),
});

export interface ExecutionEvent {
  /** The global sequence number, as a decimal string (bigint). */
  id: string;
  sessionId: string | null;
  storyUid: string;
  occurredAt: Date;
  source: EventSource;
  type: string;
  step: string | null;
  message: string | null;
  data: Record<string, unknown>;
}

export const EXECUTION_EVENT_COLUMNS = Object.keys(executionEventRowSchema.shape).join(', ');

/** Checks a known type's data against its schema; unknown types (from a newer writer) pass as they are. */
export const executionEventSchema = executionEventRowSchema.transform((row, ctx): ExecutionEvent => {
  const schema =
    row.source === 'operator'
      ? operatorEventDataSchema
      : isRunnerEventType(row.type)
        ? runnerEventDataSchemas[row.type]
        : undefined;
  const parsed = schema?.safeParse(row.data);
  if (parsed && !parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', message: `${row.type}: ${issue.message}`, path: ['data', ...issue.path] });
    }
    return z.NEVER;
  }
  return {
    id: row.id,
    sessionId: row.session_id,
    storyUid: row.story_uid,
    occurredAt: row.occurred_at,
    source: row.source,
    type: row.type,
    step: row.step,
    message: row.message,
    data: (parsed?.data as Record<string, unknown> | undefined) ?? row.data,
  };
});

export const executionEvents = defineTable('execution_events', executionEventSchema, (row) => row.id);
