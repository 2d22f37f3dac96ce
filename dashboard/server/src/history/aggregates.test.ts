import assert from 'node:assert/strict';
import type { StorySummary } from '../api/schemas.ts';
import { dayIn, isTimeZone, lastDays, todayCounts } from './aggregates.ts';

const story = (phase: StorySummary['phase'], completedAt: string | null = null) =>
  ({ phase, completedAt }) as StorySummary;

describe('aggregates', () => {
  it('takes the calendar day in the time zone asked', () => {
    const lateUTC = new Date('2026-11-25T23:30:00Z');
    assert.equal(dayIn('UTC', lateUTC), '2026-11-25');
    assert.equal(dayIn('Europe/Berlin', lateUTC), '2026-11-26');
    assert.equal(dayIn('America/New_York', lateUTC), '2026-11-25');
  });

  it('lists the last days oldest first, across a DST change without skipping or repeating one', () => {
    assert.deepEqual(lastDays('Europe/Berlin', new Date('2026-10-26T09:00:00Z'), 3), [
      '2026-10-24',
      '2026-10-25',
      '2026-10-26',
    ]);
    assert.deepEqual(lastDays('America/New_York', new Date('2026-03-09T12:00:00Z'), 3), [
      '2026-03-07',
      '2026-03-08',
      '2026-03-09',
    ]);
  });

  it('knows time zones', () => {
    assert.ok(isTimeZone('Europe/Berlin'));
    assert.ok(!isTimeZone('Mars/Olympus'));
  });

  it('counts today: finished today by outcome, and what runs, waits, is paused or queued now', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    const counts = todayCounts(
      [
        story('Succeeded', '2026-11-25T11:30:00Z'),
        story('Succeeded', '2026-11-25T02:00:00Z'),
        story('Succeeded', '2026-11-24T23:00:00Z'), // yesterday in UTC
        story('Failed', '2026-11-25T09:00:00Z'),
        story('Aborted', '2026-11-25T10:00:00Z'),
        story('Running'),
        story('Admitted'),
        story('Pausing'),
        story('WaitingForHuman'),
        story('Paused'),
        story('Queued'),
        story(null),
      ],
      'UTC',
      now,
    );
    assert.deepEqual(
      { ...counts, throughputPerHour: undefined },
      {
        succeeded: 2,
        failed: 1,
        aborted: 1,
        running: 3,
        waiting: 1,
        paused: 1,
        queued: 2,
        finishedLastHour: 1,
        throughputPerHour: undefined,
      },
    );
    assert.equal(counts.throughputPerHour, 0.33, '4 finished in the 12 hours since midnight');
  });
});
