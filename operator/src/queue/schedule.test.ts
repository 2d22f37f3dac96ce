import assert from 'node:assert/strict';
import { scheduleSchema, type Schedule } from '@nightshift/crds';
import { scheduleState, startOfDay } from './schedule.ts';

const schedule = (over: Record<string, unknown>): Schedule => scheduleSchema.parse(over);
const WEEKNIGHTS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const berlinNights = schedule({
  timezone: 'Europe/Berlin',
  windows: [{ days: WEEKNIGHTS, start: '22:00', end: '06:00' }],
});
const everyNight = (timezone: string, start = '22:00', end = '06:00') =>
  schedule({ timezone, windows: [{ start, end }] });

describe('scheduleState', () => {
  const cases: {
    name: string;
    schedule: Schedule | undefined;
    at: string;
    open: boolean;
    reason: string;
    nextChange?: string;
  }[] = [
    {
      name: 'no schedule: always open',
      schedule: undefined,
      at: '2026-11-23T12:00:00Z',
      open: true,
      reason: 'NoSchedule',
    },
    {
      name: 'no windows: always open',
      schedule: schedule({ timezone: 'Europe/Berlin' }),
      at: '2026-11-23T12:00:00Z',
      open: true,
      reason: 'NoSchedule',
    },
    {
      name: 'Monday 23:00 Berlin: inside a window that crosses midnight, closing 06:00 Tuesday',
      schedule: berlinNights,
      at: '2026-11-23T22:00:00Z',
      open: true,
      reason: 'InWindow',
      nextChange: '2026-11-24T05:00:00.000Z',
    },
    {
      name: "Saturday 03:00 Berlin: still Friday's window (it belongs to the day it opens)",
      schedule: berlinNights,
      at: '2026-11-28T02:00:00Z',
      open: true,
      reason: 'InWindow',
      nextChange: '2026-11-28T05:00:00.000Z',
    },
    {
      name: 'Saturday 23:00 Berlin: closed until Monday 22:00',
      schedule: berlinNights,
      at: '2026-11-28T22:00:00Z',
      open: false,
      reason: 'OutsideWindows',
      nextChange: '2026-11-30T21:00:00.000Z',
    },
    {
      name: 'Monday noon Berlin: closed until 22:00 (21:00 UTC in winter)',
      schedule: berlinNights,
      at: '2026-11-23T11:00:00Z',
      open: false,
      reason: 'OutsideWindows',
      nextChange: '2026-11-23T21:00:00.000Z',
    },
    {
      name: 'Berlin, spring forward (29 March 2026): the night opens at 22:00 CET and closes at 06:00 CEST, 7 hours later',
      schedule: everyNight('Europe/Berlin'),
      at: '2026-03-28T21:00:00Z',
      open: true,
      reason: 'InWindow',
      nextChange: '2026-03-29T04:00:00.000Z',
    },
    {
      name: 'Berlin, spring forward: before the window the next change is 22:00 CET',
      schedule: everyNight('Europe/Berlin'),
      at: '2026-03-28T20:59:00Z',
      open: false,
      reason: 'OutsideWindows',
      nextChange: '2026-03-28T21:00:00.000Z',
    },
    {
      name: 'Berlin, fall back (25 October 2026): 22:00 CEST to 06:00 CET is 9 hours',
      schedule: everyNight('Europe/Berlin'),
      at: '2026-10-24T20:00:00Z',
      open: true,
      reason: 'InWindow',
      nextChange: '2026-10-25T05:00:00.000Z',
    },
    {
      name: 'Berlin, fall back: 05:30 UTC is 06:30 CET, closed (no hour-off mistake)',
      schedule: everyNight('Europe/Berlin'),
      at: '2026-10-25T05:30:00Z',
      open: false,
      reason: 'OutsideWindows',
      nextChange: '2026-10-25T21:00:00.000Z',
    },
    {
      name: 'Berlin, a window starting in the skipped hour (02:30) opens when the clock shows 03:30',
      schedule: everyNight('Europe/Berlin', '02:30', '04:00'),
      at: '2026-03-29T01:15:00Z',
      open: false,
      reason: 'OutsideWindows',
      nextChange: '2026-03-29T01:30:00.000Z',
    },
    {
      name: 'New York, spring forward (8 March 2026): 01:00 EST to 03:00 EDT is one hour',
      schedule: everyNight('America/New_York', '01:00', '03:00'),
      at: '2026-03-08T06:30:00Z',
      open: true,
      reason: 'InWindow',
      nextChange: '2026-03-08T07:00:00.000Z',
    },
    {
      name: 'New York, fall back (1 November 2026): the repeated 01:00 opens at its first occurrence (EDT)',
      schedule: everyNight('America/New_York', '01:00', '03:00'),
      at: '2026-11-01T05:30:00Z',
      open: true,
      reason: 'InWindow',
      nextChange: '2026-11-01T08:00:00.000Z',
    },
    {
      name: 'New York, fall back: still open in the repeated hour (01:30 EST)',
      schedule: everyNight('America/New_York', '01:00', '03:00'),
      at: '2026-11-01T06:30:00Z',
      open: true,
      reason: 'InWindow',
      nextChange: '2026-11-01T08:00:00.000Z',
    },
    {
      name: 'New York, winter: 22:00-06:00 is 03:00-11:00 UTC',
      schedule: everyNight('America/New_York'),
      at: '2026-12-01T10:59:00Z',
      open: true,
      reason: 'InWindow',
      nextChange: '2026-12-01T11:00:00.000Z',
    },
    {
      name: 'leap day: 29 February 2028 is a Tuesday and has its window',
      schedule: schedule({ timezone: 'UTC', windows: [{ days: ['Tuesday'], start: '09:00', end: '17:00' }] }),
      at: '2028-02-28T20:00:00Z',
      open: false,
      reason: 'OutsideWindows',
      nextChange: '2028-02-29T09:00:00.000Z',
    },
    {
      name: 'leap day: a window to 24:00 closes at midnight into 1 March',
      schedule: schedule({ timezone: 'Europe/Berlin', windows: [{ days: ['Tuesday'], start: '18:00', end: '24:00' }] }),
      at: '2028-02-29T20:00:00Z',
      open: true,
      reason: 'InWindow',
      nextChange: '2028-02-29T23:00:00.000Z',
    },
    {
      name: 'a blackout inside a window: do not disturb until it ends',
      schedule: schedule({
        timezone: 'Europe/Berlin',
        windows: [{ start: '00:00', end: '24:00' }],
        blackouts: [{ start: '2026-12-24T00:00:00Z', end: '2026-12-27T00:00:00Z', reason: 'holidays' }],
      }),
      at: '2026-12-25T12:00:00Z',
      open: false,
      reason: 'DoNotDisturb',
      nextChange: '2026-12-27T00:00:00.000Z',
    },
    {
      name: 'a blackout ahead is the next change of an always-open schedule',
      schedule: schedule({ blackouts: [{ start: '2026-12-24T00:00:00+01:00', end: '2026-12-27T00:00:00+01:00' }] }),
      at: '2026-12-01T00:00:00Z',
      open: true,
      reason: 'NoSchedule',
      nextChange: '2026-12-23T23:00:00.000Z',
    },
    {
      name: 'ForceRun opens against the windows',
      schedule: { ...berlinNights, override: 'ForceRun' },
      at: '2026-11-23T11:00:00Z',
      open: true,
      reason: 'ForceRun',
    },
    {
      name: 'ForceRun does not break a do-not-disturb period',
      schedule: schedule({
        override: 'ForceRun',
        blackouts: [{ start: '2026-11-23T00:00:00Z', end: '2026-11-24T00:00:00Z' }],
      }),
      at: '2026-11-23T11:00:00Z',
      open: false,
      reason: 'DoNotDisturb',
      nextChange: '2026-11-24T00:00:00.000Z',
    },
    {
      name: 'ForceStop closes inside a window, with no change ahead',
      schedule: { ...berlinNights, override: 'ForceStop' },
      at: '2026-11-23T22:00:00Z',
      open: false,
      reason: 'ForceStop',
    },
    {
      name: 'a time zone that is not IANA: closed, naming the field',
      schedule: schedule({ timezone: 'Mars/Olympus' }),
      at: '2026-11-23T22:00:00Z',
      open: false,
      reason: 'InvalidSchedule',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const state = scheduleState(c.schedule, new Date(c.at));
      assert.equal(state.open, c.open, state.message);
      assert.equal(state.reason, c.reason);
      assert.equal(state.nextChange?.toISOString(), c.nextChange);
    });
  }

  it('names spec.schedule.timezone when the zone is unknown', () => {
    assert.match(scheduleState(schedule({ timezone: 'Mars/Olympus' }), new Date()).message, /spec\.schedule\.timezone/);
  });
});

describe('startOfDay', () => {
  it("is local midnight in the schedule's zone", () => {
    assert.equal(
      startOfDay(new Date('2026-11-23T23:30:00Z'), 'Europe/Berlin').toISOString(),
      '2026-11-23T23:00:00.000Z',
    );
    assert.equal(startOfDay(new Date('2026-11-23T22:30:00Z')).toISOString(), '2026-11-23T00:00:00.000Z');
  });
});
