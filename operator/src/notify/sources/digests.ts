// The daily summary and the weekly report: not read from a record but due
// when a recipient's day or week ends in their time zone. Keyed by the local
// date the period ended on, so each is made once per recipient and period; a
// period that ended more than CATCH_UP_HOURS ago (the operator was down) is
// skipped rather than sent late.
import type pg from 'pg';
import type { RecipientConfig } from '../../config/notifications.ts';
import { lastDayEnded, lastWeekEnded, type Period } from '../periods.ts';
import type { Found, NotificationSource, SourceContext } from './source.ts';
import { summarize } from './summary.ts';

export const CATCH_UP_HOURS = 12;

/** The digests due for a recipient now: kind, key and period. */
export function digestsDue(
  recipient: RecipientConfig,
  now: Date,
): { kind: 'DailySummary' | 'WeeklyReport'; key: string; period: Period }[] {
  const due = [];
  if (recipient.events.includes('DailySummary')) {
    const period = lastDayEnded(now, recipient.timeZone, recipient.dailySummaryAt);
    due.push({ kind: 'DailySummary' as const, key: `DailySummary/${period.label}`, period });
  }
  if (recipient.events.includes('WeeklyReport')) {
    const period = lastWeekEnded(now, recipient.timeZone, recipient.weeklyReportDay, recipient.weeklyReportAt);
    due.push({ kind: 'WeeklyReport' as const, key: `WeeklyReport/${period.label}`, period });
  }
  return due.filter((d) => now.getTime() - d.period.end.getTime() <= CATCH_UP_HOURS * 3_600_000);
}

export const digestsSource: NotificationSource = {
  name: 'digests',
  async collect(db: pg.ClientBase, { now, recipients }: SourceContext) {
    const found: Found[] = [];
    for (const recipient of recipients) {
      for (const due of digestsDue(recipient, now)) {
        const { rowCount } = await db.query('select 1 from notification_outbox where recipient = $1 and key = $2', [
          recipient.name,
          due.key,
        ]);
        if (rowCount) continue; // made already: the records are not read again
        const summary = await summarize(db, due.period, recipient.namespaces, due.kind === 'WeeklyReport');
        found.push({
          key: due.key,
          fingerprint: due.key,
          occurredAt: due.period.end,
          notification: { kind: due.kind, summary },
          recipients: [recipient.name],
        });
      }
    }
    return found;
  },
};
