// Whether a WorkQueue's schedule lets stories start at an instant, and when
// that next changes. Weekly windows are wall-clock times in the schedule's
// IANA time zone (Luxon does the zone arithmetic, DST included); a window
// whose end is not after its start crosses midnight and belongs to the day it
// opens. Blackouts (do-not-disturb) close the schedule whatever the windows
// say; override ForceRun opens it against the windows, ForceStop closes it.
// Pure: the controller asks, the tests use a fixed instant.
import { DateTime } from 'luxon';
import { WEEKDAYS, type Schedule } from '@nightshift/crds';

export type ScheduleReason =
  'NoSchedule' | 'InWindow' | 'OutsideWindows' | 'DoNotDisturb' | 'ForceRun' | 'ForceStop' | 'InvalidSchedule';

export interface ScheduleState {
  open: boolean;
  reason: ScheduleReason;
  message: string;
  /** When open next flips (within the next week); undefined when it never does. */
  nextChange?: Date;
}

interface Interval {
  start: number;
  end: number;
}

/** Days before and after the instant whose windows are laid out: a window opened yesterday may still be open. */
const HORIZON_DAYS = 8;

/** The zone's wall-clock day of an instant, from local midnight (for "admitted today"). */
export function startOfDay(at: Date, timezone = 'UTC'): Date {
  const local = DateTime.fromJSDate(at, { zone: timezone });
  return (local.isValid ? local : DateTime.fromJSDate(at, { zone: 'UTC' })).startOf('day').toJSDate();
}

export function scheduleState(schedule: Schedule | undefined, at: Date): ScheduleState {
  if (!schedule) return { open: true, reason: 'NoSchedule', message: 'no schedule: always open' };
  if (!DateTime.local().setZone(schedule.timezone).isValid) {
    return {
      open: false,
      reason: 'InvalidSchedule',
      message: `spec.schedule.timezone: "${schedule.timezone}" is not an IANA time zone (e.g. Europe/Berlin)`,
    };
  }
  const layout = layOut(schedule, at);
  const now = stateAt(schedule, layout, at.getTime());
  const boundaries = [...new Set(layout.boundaries.filter((b) => b > at.getTime()))].sort((a, b) => a - b);
  const flip = boundaries.find((b) => stateAt(schedule, layout, b).open !== now.open);
  return { ...now, ...(flip === undefined ? {} : { nextChange: new Date(flip) }) };
}

export const isOpen = (schedule: Schedule | undefined, at: Date): boolean => scheduleState(schedule, at).open;

interface Layout {
  windows: Interval[];
  blackouts: (Interval & { reason?: string | undefined })[];
  boundaries: number[];
}

function layOut(schedule: Schedule, at: Date): Layout {
  const zone = schedule.timezone;
  const today = DateTime.fromJSDate(at, { zone }).startOf('day');
  const windows: Interval[] = [];
  for (let offset = -1; offset <= HORIZON_DAYS; offset++) {
    const day = today.plus({ days: offset });
    const weekday = WEEKDAYS[day.weekday - 1]!;
    for (const w of schedule.windows) {
      if (!w.days.includes(weekday)) continue;
      const start = wallClock(day, w.start, zone);
      const crosses = w.end === '24:00' || w.end <= w.start;
      const end =
        w.end === '24:00'
          ? wallClock(day.plus({ days: 1 }), '00:00', zone)
          : wallClock(crosses ? day.plus({ days: 1 }) : day, w.end, zone);
      if (end > start) windows.push({ start, end });
    }
  }
  const blackouts = schedule.blackouts.map((b) => ({
    start: Date.parse(b.start),
    end: Date.parse(b.end),
    reason: b.reason,
  }));
  const boundaries = [...windows, ...blackouts].flatMap((i) => [i.start, i.end]);
  return { windows, blackouts, boundaries };
}

/**
 * A wall-clock time on a day in the zone. A time that happens twice (the
 * autumn hour DST repeats) is its first occurrence; a time DST skips (02:30 on
 * the spring night) moves forward by the gap, as Luxon does.
 */
function wallClock(day: DateTime, hhmm: string, zone: string): number {
  const [hour = 0, minute = 0] = hhmm.split(':').map(Number);
  const asUTC = Date.UTC(day.year, day.month - 1, day.day, hour, minute);
  // A zone changes its offset at most once a day: the offsets half a day either side are the only candidates.
  const offsets = new Set([-1, 1].map((side) => DateTime.fromMillis(asUTC + side * 12 * 3_600_000, { zone }).offset));
  const matches = [...offsets]
    .map((offset) => asUTC - offset * 60_000)
    .filter((ms) => {
      const local = DateTime.fromMillis(ms, { zone });
      return local.day === day.day && local.hour === hour && local.minute === minute;
    });
  if (matches.length > 0) return Math.min(...matches);
  return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone }).toMillis();
}

function stateAt(schedule: Schedule, layout: Layout, t: number): ScheduleState {
  const zone = schedule.timezone;
  if (schedule.override === 'ForceStop') {
    return { open: false, reason: 'ForceStop', message: 'closed: spec.schedule.override is ForceStop' };
  }
  const blackout = layout.blackouts.find((b) => b.start <= t && t < b.end);
  if (blackout) {
    return {
      open: false,
      reason: 'DoNotDisturb',
      message: `do not disturb until ${iso(blackout.end, zone)}${blackout.reason ? ` (${blackout.reason})` : ''}`,
    };
  }
  if (schedule.override === 'ForceRun') {
    return { open: true, reason: 'ForceRun', message: 'open: spec.schedule.override is ForceRun' };
  }
  if (schedule.windows.length === 0) return { open: true, reason: 'NoSchedule', message: 'no windows: always open' };
  const window = layout.windows.find((w) => w.start <= t && t < w.end);
  if (window) return { open: true, reason: 'InWindow', message: `in a window until ${iso(window.end, zone)}` };
  return { open: false, reason: 'OutsideWindows', message: 'outside every schedule window' };
}

const iso = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true });
