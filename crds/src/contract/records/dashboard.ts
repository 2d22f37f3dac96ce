// The dashboard server's tables (docs/adr/0005-dashboard-events.md): bearer
// tokens (hashed), the audit of every control, the change log that numbers
// every change a client sees, and the last recorded version of each object.
import { z } from 'zod';
import { defineTable, timestampColumn, uuidColumn } from './table.ts';

const bigintId = z.union([z.string(), z.number()]).transform(Number).pipe(z.int().min(0));

export const TOKEN_SCOPES = ['read', 'write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const dashboardTokenRowSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  secret_hash: z.instanceof(Buffer),
  scope: z.enum(TOKEN_SCOPES),
  created_at: timestampColumn,
  created_by: z.string(),
  last_used_at: timestampColumn.nullable(),
  revoked_at: timestampColumn.nullable(),
});
export type DashboardTokenRow = z.infer<typeof dashboardTokenRowSchema>;
export const DASHBOARD_TOKEN_COLUMNS = Object.keys(dashboardTokenRowSchema.shape).join(', ');
export const dashboardTokens = defineTable('dashboard_tokens', dashboardTokenRowSchema, (row) => row.id);

export const AUDIT_OUTCOMES = ['pending', 'applied', 'conflict', 'rejected', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const dashboardAuditRowSchema = z.object({
  id: bigintId,
  at: timestampColumn,
  token_id: z.string().nullable(),
  token_name: z.string(),
  action: z.string(),
  kind: z.string(),
  namespace: z.string().nullable(),
  name: z.string().nullable(),
  request: z.unknown(),
  before: z.unknown(),
  after: z.unknown(),
  outcome: z.enum(AUDIT_OUTCOMES),
  status: z.int().nullable(),
  error: z.string().nullable(),
  finished_at: timestampColumn.nullable(),
});
export type DashboardAuditRow = z.infer<typeof dashboardAuditRowSchema>;
export const DASHBOARD_AUDIT_COLUMNS = Object.keys(dashboardAuditRowSchema.shape).join(', ');
export const dashboardAudit = defineTable('dashboard_audit', dashboardAuditRowSchema, (row) => row.id);

export const CHANGE_KINDS = ['event', 'StoryRun', 'WorkQueue', 'Budget', 'Pod'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];
export const CHANGE_OPS = ['append', 'upsert', 'delete'] as const;
export type ChangeOp = (typeof CHANGE_OPS)[number];

export const changeLogRowSchema = z.object({
  seq: bigintId,
  at: timestampColumn,
  kind: z.enum(CHANGE_KINDS),
  op: z.enum(CHANGE_OPS),
  uid: uuidColumn,
  namespace: z.string().nullable(),
  name: z.string().nullable(),
  story_uid: uuidColumn.nullable(),
  event_id: bigintId.nullable(),
  resource_version: z.string().nullable(),
  object: z.unknown(),
});
export type ChangeLogRow = z.infer<typeof changeLogRowSchema>;
export const CHANGE_LOG_COLUMNS = Object.keys(changeLogRowSchema.shape).join(', ');
export const changeLog = defineTable('change_log', changeLogRowSchema, (row) => row.seq);

export const resourceStateRowSchema = z.object({
  kind: z.string(),
  uid: uuidColumn,
  namespace: z.string(),
  name: z.string(),
  resource_version: z.string(),
  queue: z.string().nullable(),
  story_uid: uuidColumn.nullable(),
  deleted: z.boolean(),
  updated_at: timestampColumn,
});
export const RESOURCE_STATE_COLUMNS = Object.keys(resourceStateRowSchema.shape).join(', ');
export const resourceState = defineTable('resource_state', resourceStateRowSchema, (row) => `${row.kind}/${row.uid}`);
