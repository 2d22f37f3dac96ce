// Do-not-disturb: a recipient's daily quiet hours (in their time zone, across
// midnight if need be) and the blackouts of the WorkQueues a notification
// concerns. Non-critical notifications wait until the window they fall in has
// ended (and the next one, when windows touch).
import { DateTime } from 'luxon';

export interface QuietWindow {
  start: Date;
  end: Date;
  /** e.g. 'quiet hours' or 'blackout of team-a/nightly: holidays' */
  reason: string;
}

export interface QuietHours {
  start: string;
  end: string;
}

const atClock = (day: DateTime, clock: string) => {
  const [hour, minute] = clock.split(':').map(Number);
  return day.set({ hour: hour!, minute: minute!, second: 0, millisecond: 0 });
};

/** The quiet-hours window containing at, if any (DST-correct: a window is a local-time span). */
export function quietHoursAt(quiet: QuietHours, timeZone: string, at: Date): QuietWindow | undefined {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const crossesMidnight = quiet.end < quiet.start;
  for (const offset of [-1, 0]) {
    const day = local.plus({ days: offset }).startOf('day');
    const start = atClock(day, quiet.start);
    const end = atClock(crossesMidnight ? day.plus({ days: 1 }) : day, quiet.end);
    if (start <= local && local < end) {
      return {
        start: start.toJSDate(),
        end: end.toJSDate(),
        reason: `quiet hours ${quiet.start}-${quiet.end} ${timeZone}`,
      };
    }
  }
  return undefined;
}

/**
 * When the do-not-disturb period around at ends, or undefined when at is not
 * in one. Windows that overlap or touch count as one period.
 */
export function quietUntil(
  at: Date,
  windows: QuietWindow[],
  quietHours?: { hours: QuietHours; timeZone: string },
): { until: Date; reason: string } | undefined {
  let cursor = at;
  let reason: string | undefined;
  // Each step moves cursor to the end of a window containing it; bounded, as each end is later.
  for (let step = 0; step < windows.length + 8; step++) {
    const containing = windows.filter((w) => w.start <= cursor && cursor < w.end);
    const daily = quietHours && quietHoursAt(quietHours.hours, quietHours.timeZone, cursor);
    if (daily) containing.push(daily);
    if (containing.length === 0) break;
    const last = containing.reduce((a, b) => (b.end > a.end ? b : a));
    reason ??= last.reason;
    cursor = last.end;
  }
  return reason === undefined ? undefined : { until: cursor, reason };
}
