import assert from 'node:assert/strict';
import { quietHoursAt, quietUntil, type QuietWindow } from './quiet.ts';

const at = (iso: string) => new Date(iso);

describe('quietHoursAt', () => {
  const cases: { name: string; hours: [string, string]; zone: string; at: string; window?: [string, string] }[] = [
    {
      name: 'inside a window across midnight, after midnight (Berlin, winter: UTC+1)',
      hours: ['22:00', '07:00'],
      zone: 'Europe/Berlin',
      at: '2026-11-25T03:00:00Z',
      window: ['2026-11-24T21:00:00.000Z', '2026-11-25T06:00:00.000Z'],
    },
    {
      name: 'inside a window across midnight, before midnight',
      hours: ['22:00', '07:00'],
      zone: 'Europe/Berlin',
      at: '2026-11-25T22:30:00Z',
      window: ['2026-11-25T21:00:00.000Z', '2026-11-26T06:00:00.000Z'],
    },
    { name: 'outside it', hours: ['22:00', '07:00'], zone: 'Europe/Berlin', at: '2026-11-25T12:00:00Z' },
    {
      name: 'the end is exclusive',
      hours: ['22:00', '07:00'],
      zone: 'Europe/Berlin',
      at: '2026-11-25T06:00:00Z',
    },
    {
      name: 'a daytime window',
      hours: ['12:00', '13:30'],
      zone: 'America/New_York',
      at: '2026-07-01T16:30:00Z',
      window: ['2026-07-01T16:00:00.000Z', '2026-07-01T17:30:00.000Z'],
    },
    {
      name: 'the night the clocks go back is an hour longer (Berlin, 25 Oct 2026)',
      hours: ['22:00', '07:00'],
      zone: 'Europe/Berlin',
      at: '2026-10-25T02:30:00Z',
      window: ['2026-10-24T20:00:00.000Z', '2026-10-25T06:00:00.000Z'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const window = quietHoursAt({ start: c.hours[0], end: c.hours[1] }, c.zone, at(c.at));
      assert.deepEqual(window && [window.start.toISOString(), window.end.toISOString()], c.window);
    });
  }
});

describe('quietUntil', () => {
  const blackout = (start: string, end: string, reason = 'blackout'): QuietWindow => ({
    start: at(start),
    end: at(end),
    reason,
  });
  const cases: {
    name: string;
    at: string;
    windows: QuietWindow[];
    hours?: [string, string];
    until?: string;
  }[] = [
    { name: 'no window: not quiet', at: '2026-12-01T10:00:00Z', windows: [] },
    {
      name: 'inside a blackout: until it ends',
      at: '2026-12-24T10:00:00Z',
      windows: [blackout('2026-12-24T00:00:00Z', '2026-12-27T00:00:00Z')],
      until: '2026-12-27T00:00:00.000Z',
    },
    {
      name: 'a blackout ending inside quiet hours: until the quiet hours end too',
      at: '2026-12-24T10:00:00Z',
      windows: [blackout('2026-12-24T00:00:00Z', '2026-12-26T22:00:00Z')],
      hours: ['22:00', '07:00'],
      until: '2026-12-27T07:00:00.000Z',
    },
    {
      name: 'overlapping blackouts count as one',
      at: '2026-12-24T10:00:00Z',
      windows: [
        blackout('2026-12-24T00:00:00Z', '2026-12-25T00:00:00Z'),
        blackout('2026-12-24T20:00:00Z', '2026-12-26T00:00:00Z'),
      ],
      until: '2026-12-26T00:00:00.000Z',
    },
    {
      name: 'a blackout that has not begun does not hold',
      at: '2026-12-23T10:00:00Z',
      windows: [blackout('2026-12-24T00:00:00Z', '2026-12-27T00:00:00Z')],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = quietUntil(
        at(c.at),
        c.windows,
        c.hours && { hours: { start: c.hours[0], end: c.hours[1] }, timeZone: 'UTC' },
      );
      assert.equal(result?.until.toISOString(), c.until);
    });
  }
});
