// Postgres NOTIFY channels and their payloads. A runner notifies after each
// change the operator acts on; the operator LISTENs and reconciles at once (a
// periodic resync covers a lost notification).
import { z } from 'zod';

export const NOTIFY_CHANNELS = {
  /** A story's step, cost or outcome changed; payload `<namespace>/<name>`. */
  story: 'nightshift_story',
  /** A budget_alerts row was written; payload its id. The notifier sends unsent rows. */
  budgetAlert: 'nightshift_budget_alert',
  /** New rows in the change log (docs/adr/0005-dashboard-events.md); empty payload. */
  changes: 'nightshift_changes',
} as const;

const dnsName = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const storyNotificationSchema = z
  .string()
  .transform((payload) => payload.split('/'))
  .pipe(z.tuple([z.string().regex(dnsName), z.string().regex(dnsName)]))
  .transform(([namespace, name]) => ({ namespace, name }));
export type StoryNotification = z.infer<typeof storyNotificationSchema>;

export const storyNotificationPayload = ({ namespace, name }: StoryNotification) => `${namespace}/${name}`;
