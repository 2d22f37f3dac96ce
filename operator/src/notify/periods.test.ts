import assert from 'node:assert/strict';
import { lastDayEnded, lastWeekEnded } from './periods.ts';

describe('lastDayEnded', () => {
  const cases: { name: string; now: string; zone: string; at: string; start: string; end: string; label: string }[] = [
    {
      name: 'after the end of the day: today’s',
      now: '2026-11-25T19:00:00Z',
      zone: 'Europe/Berlin',
      at: '18:00',
      start: '2026-11-24T17:00:00.000Z',
      end: '2026-11-25T17:00:00.000Z',
      label: '2026-11-25',
    },
    {
      name: 'before it: yesterday’s',
      now: '2026-11-25T16:59:00Z',
      zone: 'Europe/Berlin',
      at: '18:00',
      start: '2026-11-23T17:00:00.000Z',
      end: '2026-11-24T17:00:00.000Z',
      label: '2026-11-24',
    },
    {
      name: 'exactly at the end: that day’s',
      now: '2026-11-25T17:00:00Z',
      zone: 'Europe/Berlin',
      at: '18:00',
      start: '2026-11-24T17:00:00.000Z',
      end: '2026-11-25T17:00:00.000Z',
      label: '2026-11-25',
    },
    {
      name: 'the local date, not the UTC one (Tokyo is already on the 26th)',
      now: '2026-11-25T23:00:00Z',
      zone: 'Asia/Tokyo',
      at: '07:30',
      start: '2026-11-24T22:30:00.000Z',
      end: '2026-11-25T22:30:00.000Z',
      label: '2026-11-26',
    },
    {
      name: 'the day the clocks go forward has 23 hours (New York, 8 Mar 2026)',
      now: '2026-03-09T00:00:00Z',
      zone: 'America/New_York',
      at: '18:00',
      start: '2026-03-07T23:00:00.000Z',
      end: '2026-03-08T22:00:00.000Z',
      label: '2026-03-08',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = lastDayEnded(new Date(c.now), c.zone, c.at);
      assert.deepEqual([p.start.toISOString(), p.end.toISOString(), p.label], [c.start, c.end, c.label]);
    });
  }
});

describe('lastWeekEnded', () => {
  it('the week up to the last Friday 17:00 local, in the recipient’s zone', () => {
    // Wednesday 25 Nov 2026: the last Friday 17:00 in Berlin was the 20th (16:00Z).
    const p = lastWeekEnded(new Date('2026-11-25T12:00:00Z'), 'Europe/Berlin', 'Friday', '17:00');
    assert.deepEqual(
      [p.start.toISOString(), p.end.toISOString(), p.label],
      ['2026-11-13T16:00:00.000Z', '2026-11-20T16:00:00.000Z', '2026-11-20'],
    );
  });

  it('on the day itself: before the time it is last week’s, after it this one', () => {
    const before = lastWeekEnded(new Date('2026-11-27T15:59:00Z'), 'Europe/Berlin', 'Friday', '17:00');
    const after = lastWeekEnded(new Date('2026-11-27T16:00:00Z'), 'Europe/Berlin', 'Friday', '17:00');
    assert.equal(before.label, '2026-11-20');
    assert.equal(after.label, '2026-11-27');
  });

  it('a week across the end of summer time is 7 local days (169 hours)', () => {
    const p = lastWeekEnded(new Date('2026-10-31T12:00:00Z'), 'Europe/Berlin', 'Friday', '17:00');
    assert.equal((p.end.getTime() - p.start.getTime()) / 3_600_000, 169);
  });
});
