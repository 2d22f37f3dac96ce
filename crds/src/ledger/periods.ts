// A Budget's periods: the day and the week containing an instant, in the
// Budget's IANA time zone (the week from its weekStartsOn), with exact,
// DST-correct boundaries. Luxon does the calendar arithmetic; a day is not
// 24 hours where the clocks change. Pure.
import { DateTime, IANAZone } from 'luxon';
import { WEEKDAYS, type Weekday } from '../workqueue.ts';

export const PERIOD_SCOPES = ['daily', 'weekly'] as const;
export type PeriodScope = (typeof PERIOD_SCOPES)[number];

/** One period: [start, end). */
export interface Period {
  scope: PeriodScope;
  start: Date;
  end: Date;
}

export interface PeriodCalendar {
  timezone: string;
  weekStartsOn: Weekday;
}

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

function zoned(at: Date, timezone: string): DateTime {
  if (!isValidTimeZone(timezone))
    throw new Error(`unknown time zone "${timezone}" (expected an IANA name such as Europe/Berlin)`);
  return DateTime.fromJSDate(at, { zone: timezone });
}

/** The period of this scope that contains at. */
export function periodOf(scope: PeriodScope, at: Date, calendar: PeriodCalendar): Period {
  const local = zoned(at, calendar.timezone);
  let start: DateTime;
  let end: DateTime;
  if (scope === 'daily') {
    start = local.startOf('day');
    end = start.plus({ days: 1 });
  } else {
    // Luxon weekdays: Monday 1 … Sunday 7.
    const first = WEEKDAYS.indexOf(calendar.weekStartsOn) + 1;
    const back = (local.weekday - first + 7) % 7;
    start = local.startOf('day').minus({ days: back });
    end = start.plus({ weeks: 1 });
  }
  return { scope, start: start.toJSDate(), end: end.toJSDate() };
}

/** The day and the week containing at. */
export function periodsOf(at: Date, calendar: PeriodCalendar): { daily: Period; weekly: Period } {
  return { daily: periodOf('daily', at, calendar), weekly: periodOf('weekly', at, calendar) };
}

/** How far into the period at is, 0..1. */
export function elapsedFraction(period: Period, at: Date): number {
  const length = period.end.getTime() - period.start.getTime();
  return Math.min(1, Math.max(0, (at.getTime() - period.start.getTime()) / length));
}
