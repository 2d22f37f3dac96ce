// daemon_runs: one row per operator process start — who ran, with which
// configuration (secrets redacted), and how it ended. A run that never said
// goodbye is closed as crashed by the next start, once its heartbeat is old.
import { z } from 'zod';
import { defineTable, timestampColumn, uuidColumn } from './table.ts';

export const DAEMON_RUN_STATUSES = ['running', 'stopped', 'crashed'] as const;
export type DaemonRunStatus = (typeof DAEMON_RUN_STATUSES)[number];

export const daemonRunRowSchema = z.object({
  id: uuidColumn,
  identity: z.string(),
  hostname: z.string(),
  pid: z.int(),
  version: z.string(),
  status: z.enum(DAEMON_RUN_STATUSES),
  config: z.record(z.string(), z.unknown()),
  started_at: timestampColumn,
  last_seen_at: timestampColumn,
  stopped_at: timestampColumn.nullable(),
  stop_reason: z.string().nullable(),
});
export type DaemonRunRow = z.infer<typeof daemonRunRowSchema>;

export const DAEMON_RUN_COLUMNS = Object.keys(daemonRunRowSchema.shape).join(', ');

export const daemonRuns = defineTable('daemon_runs', daemonRunRowSchema, (row) => row.id);
