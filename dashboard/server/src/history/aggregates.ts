// The figures of the overview: today (finished, running, waiting, cost
// against budget, throughput) and one row per day, in a time zone.
import type { StorySummary } from '../api/schemas.ts';

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function dayIn(timezone: string, at: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** Whether Intl knows the time zone. */
export function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** The last `count` days ending today, oldest first. */
export function lastDays(timezone: string, now: Date, count: number): string[] {
  const days: string[] = [];
  // Step back by hours, not 24 h, so a DST day of 23 or 25 hours is not skipped or repeated.
  for (let at = now.getTime(); days.length < count; at -= 3_600_000) {
    const day = dayIn(timezone, new Date(at));
    if (days.at(-1) !== day) days.push(day);
  }
  return days.reverse();
}

export interface TodayCounts {
  succeeded: number;
  failed: number;
  aborted: number;
  running: number;
  waiting: number;
  paused: number;
  queued: number;
  finishedLastHour: number;
  throughputPerHour: number;
}

const RUNNING = new Set(['Admitted', 'Running', 'Pausing']);

export function todayCounts(stories: readonly StorySummary[], timezone: string, now: Date): TodayCounts {
  const today = dayIn(timezone, now);
  const counts: TodayCounts = {
    succeeded: 0,
    failed: 0,
    aborted: 0,
    running: 0,
    waiting: 0,
    paused: 0,
    queued: 0,
    finishedLastHour: 0,
    throughputPerHour: 0,
  };
  for (const story of stories) {
    const phase = story.phase;
    if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Aborted') {
      if (!story.completedAt) continue;
      const done = new Date(story.completedAt);
      if (dayIn(timezone, done) !== today) continue;
      counts[phase === 'Succeeded' ? 'succeeded' : phase === 'Failed' ? 'failed' : 'aborted']++;
      if (now.getTime() - done.getTime() <= 3_600_000) counts.finishedLastHour++;
    } else if (phase && RUNNING.has(phase)) counts.running++;
    else if (phase === 'WaitingForHuman') counts.waiting++;
    else if (phase === 'Paused') counts.paused++;
    else counts.queued++;
  }
  const midnight = hoursSinceMidnight(timezone, now);
  const finished = counts.succeeded + counts.failed + counts.aborted;
  counts.throughputPerHour = Math.round((finished / Math.max(midnight, 1 / 60)) * 100) / 100;
  return counts;
}

function hoursSinceMidnight(timezone: string, now: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .formatToParts(now)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return Number(parts.hour) + Number(parts.minute) / 60;
}
