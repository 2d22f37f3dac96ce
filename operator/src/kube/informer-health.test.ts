import assert from 'node:assert/strict';
import { informerHealth, type InformerReadout } from './informer-health.ts';

const NOW = new Date('2026-11-25T12:00:00Z');
const thresholds = { unreadyAfterMs: 30_000, exitAfterMs: 300_000 };
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const readout = (over: Partial<InformerReadout> = {}): InformerReadout => ({
  description: 'widgets in team-a',
  synced: true,
  ...over,
});

describe('informerHealth', () => {
  const cases: { name: string; readouts: InformerReadout[]; problems: string[]; exitReason?: string }[] = [
    { name: 'no informers: ready', readouts: [], problems: [] },
    { name: 'synced and healthy: ready', readouts: [readout()], problems: [] },
    {
      name: 'not synced yet: unready, but no reason to exit',
      readouts: [readout({ synced: false })],
      problems: ['cache not synced: widgets in team-a'],
    },
    {
      name: 'failing for less than unreadyAfterMs: still ready (one refused reconnect is normal)',
      readouts: [readout({ failingSince: ago(29_000), lastError: 'fetch failed: connect ECONNREFUSED' })],
      problems: [],
    },
    {
      name: 'failing for exactly unreadyAfterMs: still ready',
      readouts: [readout({ failingSince: ago(30_000), lastError: 'x' })],
      problems: [],
    },
    {
      name: 'failing past unreadyAfterMs: unready, naming the informer, how long and the last error',
      readouts: [readout({ failingSince: ago(45_000), lastError: 'fetch failed: certificate has expired' })],
      problems: [
        'informer for widgets in team-a has failed to list or watch for 45 s (since 2026-11-25T11:59:15.000Z): fetch failed: certificate has expired',
      ],
    },
    {
      name: 'failing before the first sync: one line that says both',
      readouts: [readout({ synced: false, failingSince: ago(31_000), lastError: 'GET /apis: 403 Forbidden' })],
      problems: [
        'informer for widgets in team-a has failed to list or watch for 31 s (since 2026-11-25T11:59:29.000Z): GET /apis: 403 Forbidden (cache not synced)',
      ],
    },
    {
      name: 'failing past exitAfterMs: exit, naming the informer that failed longest',
      readouts: [
        readout({ description: 'widgets in team-a', failingSince: ago(301_000), lastError: 'a' }),
        readout({ description: 'widgets in team-b', failingSince: ago(400_000), lastError: 'b' }),
        readout({ description: 'pods in team-a' }),
      ],
      problems: [
        'informer for widgets in team-a has failed to list or watch for 301 s (since 2026-11-25T11:54:59.000Z): a',
        'informer for widgets in team-b has failed to list or watch for 400 s (since 2026-11-25T11:53:20.000Z): b',
      ],
      exitReason:
        'informer for widgets in team-b has failed to list or watch for 400 s (since 2026-11-25T11:53:20.000Z): b; that is longer than 300 s, so exit and start afresh',
    },
    {
      name: 'no last error recorded: the line ends after the time',
      readouts: [readout({ failingSince: ago(60_000) })],
      problems: [
        'informer for widgets in team-a has failed to list or watch for 60 s (since 2026-11-25T11:59:00.000Z)',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = informerHealth(c.readouts, NOW, thresholds);
      assert.deepEqual(verdict.problems, c.problems);
      assert.equal(verdict.exitReason, c.exitReason);
    });
  }
});
