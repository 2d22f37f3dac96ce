// The notifier's part of the operator configuration: who hears about what,
// over which channel, in which time zone and outside which quiet hours. The
// secrets (webhook URLs, the SMTP URL and credentials) are not here: the
// config names the files a Secret is mounted as (notify/secrets.ts reads them).
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { WEEKDAYS } from '@nightshift/crds';
import { NOTIFICATION_KINDS, notificationKindSchema } from '@nightshift/crds/contract';

const clock = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time HH:MM (00:00-23:59)');
const timeZone = z
  .string()
  .refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/Berlin');
const file = z.string().min(1);

export const recipientSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be lower-case letters, digits and dashes')
      .max(63),
    slack: z
      .object({ webhookURLFile: file.describe('A file holding the incoming webhook URL (a mounted Secret key)') })
      .optional(),
    email: z.object({ to: z.email('must be an email address') }).optional(),
    timeZone: timeZone.default('UTC').describe('Where the recipient is: quiet hours, the end of their day'),
    events: z
      .array(notificationKindSchema)
      .min(1)
      .default([...NOTIFICATION_KINDS]),
    namespaces: z.array(z.string().min(1)).default([]).describe('Only stories of these namespaces; empty: all'),
    quietHours: z
      .object({ start: clock, end: clock })
      .refine((q) => q.start !== q.end, { message: 'quiet hours must not start and end at the same time' })
      .optional()
      .describe('Daily do-not-disturb window in timeZone (may cross midnight); critical alerts still go'),
    batchSeconds: z
      .number()
      .int()
      .min(0)
      .default(60)
      .describe('Decisions asked within this long of the first one go out as one message'),
    repeatSeconds: z.number().int().min(0).default(3600).describe('An identical alert is not repeated within this'),
    dailySummaryAt: clock.default('18:00').describe('The end of the recipient’s day'),
    weeklyReportDay: z.enum(WEEKDAYS).default('Friday'),
    weeklyReportAt: clock.default('17:00'),
  })
  .refine((r) => (r.slack === undefined) !== (r.email === undefined), {
    message: 'a recipient needs exactly one of slack or email',
    path: ['slack'],
  });
export type RecipientConfig = z.infer<typeof recipientSchema>;

export const notificationsSchema = z
  .object({
    dashboardURL: z.url().optional().describe('Base of the links into the dashboard; runner.dashboardURL otherwise'),
    pollSeconds: z.number().positive().default(5).describe('How often the records and the outbox are looked at'),
    claimSeconds: z
      .number()
      .int()
      .min(1)
      .default(120)
      .describe('A claimed delivery whose sender went silent this long is taken over'),
    sendTimeoutSeconds: z.number().int().min(1).default(30),
    retry: z
      .object({
        baseSeconds: z.number().min(0).default(5),
        maxSeconds: z.number().min(0).default(600),
        giveUpAfterSeconds: z.number().int().min(1).default(86_400),
      })
      .prefault({}),
    email: z
      .object({
        smtpURLFile: file.describe('A file holding smtp://host:587 or smtps://host:465 (credentials may be in it)'),
        usernameFile: file.optional(),
        passwordFile: file.optional(),
        from: z.string().min(3).describe('e.g. "Nightshift <nightshift@example.com>"'),
        requireTLS: z.boolean().default(false).describe('Refuse a server that does not offer STARTTLS'),
        caFile: file.optional().describe('PEM certificates to trust for the SMTP server besides the system ones'),
        unsubscribeURL: z.url().optional().describe('List-Unsubscribe target; the dashboard’s page otherwise'),
      })
      .optional(),
    recipients: z.array(recipientSchema).default([]),
  })
  .prefault({})
  .superRefine((n, ctx) => {
    const seen = new Set<string>();
    n.recipients.forEach((r, i) => {
      if (seen.has(r.name))
        ctx.addIssue({ code: 'custom', message: `duplicate name ${r.name}`, path: ['recipients', i, 'name'] });
      seen.add(r.name);
      if (r.email && !n.email) {
        ctx.addIssue({
          code: 'custom',
          message: 'an email recipient needs notifications.email (the SMTP server)',
          path: ['recipients', i, 'email'],
        });
      }
    });
  });
export type NotificationsConfig = z.infer<typeof notificationsSchema>;
