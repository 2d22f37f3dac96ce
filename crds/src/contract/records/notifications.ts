// The notifier's outbox (operator/migrations/1739000000000_notifications.sql):
// notification_outbox holds one row per notification and recipient,
// notification_deliveries one row per message sent (or to be sent).
import { z } from 'zod';
import { CHANNELS, NOTIFICATION_KINDS, SEVERITIES, notificationSchema } from '../notifications.ts';
import { defineTable, timestampColumn } from './table.ts';

const bigintId = z.union([z.string(), z.number()]).transform(String);

export const OUTBOX_STATES = ['pending', 'queued', 'suppressed'] as const;
export const DELIVERY_STATES = ['pending', 'claimed', 'sending', 'sent', 'uncertain', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const outboxRowSchema = z.object({
  id: bigintId,
  recipient: z.string(),
  key: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  severity: z.enum(SEVERITIES),
  fingerprint: z.string(),
  notification: notificationSchema,
  occurred_at: timestampColumn,
  created_at: timestampColumn,
  state: z.enum(OUTBOX_STATES),
  delivery_id: bigintId.nullable(),
  decided_at: timestampColumn.nullable(),
  suppressed_reason: z.string().nullable(),
});
export type OutboxRow = z.infer<typeof outboxRowSchema>;
export const OUTBOX_COLUMNS = Object.keys(outboxRowSchema.shape).join(', ');
export const notificationOutbox = defineTable('notification_outbox', outboxRowSchema, (row) => row.id);

export const deliveryRowSchema = z.object({
  id: bigintId,
  recipient: z.string(),
  channel: z.enum(CHANNELS),
  kind: z.enum(NOTIFICATION_KINDS),
  severity: z.enum(SEVERITIES),
  notifications: z.array(notificationSchema).min(1),
  state: z.enum(DELIVERY_STATES),
  attempts: z.int().min(0),
  not_before: timestampColumn,
  claimed_by: z.string().nullable(),
  claimed_at: timestampColumn.nullable(),
  claim_expires_at: timestampColumn.nullable(),
  sent_at: timestampColumn.nullable(),
  provider_id: z.string().nullable(),
  last_error: z.string().nullable(),
  created_at: timestampColumn,
});
export type DeliveryRow = z.infer<typeof deliveryRowSchema>;
export const DELIVERY_COLUMNS = Object.keys(deliveryRowSchema.shape).join(', ');
export const notificationDeliveries = defineTable('notification_deliveries', deliveryRowSchema, (row) => row.id);
