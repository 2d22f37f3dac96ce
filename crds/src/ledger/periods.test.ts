import assert from 'node:assert/strict';
import { periodOf, periodsOf, isValidTimeZone } from './periods.ts';

const iso = (d: Date) => d.toISOString();

describe('budget periods', () => {
  const berlin = { timezone: 'Europe/Berlin', weekStartsOn: 'Monday' as const };
  const newYork = { timezone: 'America/New_York', weekStartsOn: 'Sunday' as const };

  const table: {
    what: string;
    at: string;
    calendar: typeof berlin | typeof newYork;
    day: [string, string];
    week: [string, string];
  }[] = [
    {
      what: 'Berlin, an ordinary winter day (UTC+1)',
      at: '2026-11-25T12:00:00Z',
      calendar: berlin,
      day: ['2026-11-24T23:00:00.000Z', '2026-11-25T23:00:00.000Z'],
      week: ['2026-11-22T23:00:00.000Z', '2026-11-29T23:00:00.000Z'],
    },
    {
      what: 'Berlin, the spring-forward day is 23 hours long (2026-03-29)',
      at: '2026-03-29T10:00:00Z',
      calendar: berlin,
      day: ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
      week: ['2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    },
    {
      what: 'Berlin, just after midnight following the change: a new day and a new week, in summer time',
      at: '2026-03-29T22:00:00Z',
      calendar: berlin,
      day: ['2026-03-29T22:00:00.000Z', '2026-03-30T22:00:00.000Z'],
      week: ['2026-03-29T22:00:00.000Z', '2026-04-05T22:00:00.000Z'],
    },
    {
      what: 'Berlin, one millisecond before that midnight is still the short day',
      at: '2026-03-29T21:59:59.999Z',
      calendar: berlin,
      day: ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
      week: ['2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    },
    {
      what: 'New York, the fall-back day is 25 hours long (2026-11-01), weeks from Sunday',
      at: '2026-11-01T12:00:00Z',
      calendar: newYork,
      day: ['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z'],
      week: ['2026-11-01T04:00:00.000Z', '2026-11-08T05:00:00.000Z'],
    },
    {
      what: 'New York, 23:30 local on Saturday (already Sunday in UTC) is still Saturday and the old week',
      at: '2026-11-01T03:30:00Z',
      calendar: newYork,
      day: ['2026-10-31T04:00:00.000Z', '2026-11-01T04:00:00.000Z'],
      week: ['2026-10-25T04:00:00.000Z', '2026-11-01T04:00:00.000Z'],
    },
    {
      what: 'UTC, a week starting on Wednesday',
      at: '2026-11-24T08:00:00Z',
      calendar: { timezone: 'UTC', weekStartsOn: 'Wednesday' } as unknown as typeof berlin,
      day: ['2026-11-24T00:00:00.000Z', '2026-11-25T00:00:00.000Z'],
      week: ['2026-11-18T00:00:00.000Z', '2026-11-25T00:00:00.000Z'],
    },
  ];
  for (const row of table) {
    it(row.what, () => {
      const { daily, weekly } = periodsOf(new Date(row.at), row.calendar);
      assert.deepEqual([iso(daily.start), iso(daily.end)], row.day);
      assert.deepEqual([iso(weekly.start), iso(weekly.end)], row.week);
    });
  }

  it('every instant of a year falls in exactly one day, and days tile without gaps (two zones)', () => {
    for (const calendar of [berlin, newYork]) {
      let day = periodOf('daily', new Date('2026-01-01T12:00:00Z'), calendar);
      for (let i = 0; i < 366; i++) {
        const next = periodOf('daily', day.end, calendar);
        assert.equal(iso(next.start), iso(day.end), `${calendar.timezone}: day ${i} ends where the next begins`);
        const hours = (day.end.getTime() - day.start.getTime()) / 3_600_000;
        assert.ok([23, 24, 25].includes(hours), `${calendar.timezone}: ${iso(day.start)} lasts ${hours} h`);
        day = next;
      }
    }
  });

  it('names an unknown time zone', () => {
    assert.equal(isValidTimeZone('Mars/Olympus'), false);
    assert.throws(
      () => periodOf('daily', new Date(), { timezone: 'Mars/Olympus', weekStartsOn: 'Monday' }),
      /Mars\/Olympus/,
    );
  });
});
