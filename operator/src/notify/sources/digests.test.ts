import assert from 'node:assert/strict';
import { recipientSchema } from '../../config/notifications.ts';
import { digestsDue } from './digests.ts';

const recipient = (extra: Record<string, unknown> = {}) =>
  recipientSchema.parse({ name: 'ana', email: { to: 'ana@example.com' }, timeZone: 'Europe/Berlin', ...extra });

describe('digestsDue', () => {
  it('after the end of the recipient’s day: that day’s summary, named by its local date', () => {
    const due = digestsDue(recipient({ events: ['DailySummary'] }), new Date('2026-11-25T17:05:00Z'));
    assert.deepEqual(
      due.map((d) => [d.kind, d.key, d.period.end.toISOString()]),
      [['DailySummary', 'DailySummary/2026-11-25', '2026-11-25T17:00:00.000Z']],
    );
  });

  it('long after it (the operator was down): skipped rather than sent late', () => {
    assert.deepEqual(digestsDue(recipient({ events: ['DailySummary'] }), new Date('2026-11-26T06:00:00Z')), []);
  });

  it('the weekly report on its day, and nothing the recipient did not ask for', () => {
    const due = digestsDue(
      recipient({ events: ['WeeklyReport'], weeklyReportDay: 'Wednesday', weeklyReportAt: '18:00' }),
      new Date('2026-11-25T17:30:00Z'),
    );
    assert.deepEqual(
      due.map((d) => d.key),
      ['WeeklyReport/2026-11-25'],
    );
  });
});
