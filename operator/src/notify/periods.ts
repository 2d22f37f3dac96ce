// When a recipient's day and week end, in their time zone: the daily summary
// covers the 24 local hours up to dailySummaryAt (23 or 25 real hours on the
// nights the clocks change), the weekly report the 7 local days up to
// weeklyReportDay at weeklyReportAt.
import { DateTime } from 'luxon';
import { WEEKDAYS, type Weekday } from '@nightshift/crds';

export interface Period {
  start: Date;
  end: Date;
  /** The local date the period ends on (yyyy-MM-dd): its name in keys and subjects. */
  label: string;
  timeZone: string;
}

const atClock = (day: DateTime, clock: string) => {
  const [hour, minute] = clock.split(':').map(Number);
  return day.set({ hour: hour!, minute: minute!, second: 0, millisecond: 0 });
};

const periodOf = (start: DateTime, end: DateTime, timeZone: string): Period => ({
  start: start.toJSDate(),
  end: end.toJSDate(),
  label: end.toFormat('yyyy-MM-dd'),
  timeZone,
});

/** The last day that ended at or before now (the one a summary is due for). */
export function lastDayEnded(now: Date, timeZone: string, endsAt: string): Period {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  let end = atClock(local.startOf('day'), endsAt);
  if (end > local) end = atClock(local.startOf('day').minus({ days: 1 }), endsAt);
  return periodOf(atClock(end.startOf('day').minus({ days: 1 }), endsAt), end, timeZone);
}

/** The last week that ended at or before now. */
export function lastWeekEnded(now: Date, timeZone: string, day: Weekday, endsAt: string): Period {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  const weekday = WEEKDAYS.indexOf(day) + 1; // Luxon: Monday = 1
  const back = (local.weekday - weekday + 7) % 7;
  let end = atClock(local.startOf('day').minus({ days: back }), endsAt);
  if (end > local) end = atClock(end.startOf('day').minus({ days: 7 }), endsAt);
  return periodOf(atClock(end.startOf('day').minus({ days: 7 }), endsAt), end, timeZone);
}
