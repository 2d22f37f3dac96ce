import assert from 'node:assert/strict';
import { recipientSchema } from '../config/notifications.ts';
import { recipientsFor } from './route.ts';
import type { Found } from './sources/source.ts';

const recipients = [
  recipientSchema.parse({ name: 'team', slack: { webhookURLFile: '/s' } }),
  recipientSchema.parse({ name: 'ana', email: { to: 'ana@example.com' }, events: ['DailySummary', 'BudgetExceeded'] }),
  recipientSchema.parse({ name: 'ops', email: { to: 'ops@example.com' }, namespaces: ['team-b'] }),
];
const story = { namespace: 'team-a', name: 'x', uid: 'u' };
const found = (notification: Found['notification'], only?: string[]): Found => ({
  key: 'k',
  fingerprint: 'f',
  occurredAt: new Date(),
  notification,
  ...(only ? { recipients: only } : {}),
});

describe('recipientsFor', () => {
  const cases: { name: string; found: Found; want: string[] }[] = [
    {
      name: 'by kind and namespace',
      found: found({ kind: 'StoryCompleted', story, pullRequest: { url: 'u', number: 1 } }),
      want: ['team'],
    },
    {
      name: 'a critical alert to everyone who asked for it in that namespace',
      found: found({ kind: 'BudgetExceeded', story, message: 'm' }),
      want: ['team', 'ana'],
    },
    {
      name: 'a namespace only one recipient follows',
      found: found({ kind: 'StoryFailed', story: { ...story, namespace: 'team-b' }, reason: 'R', message: 'm' }),
      want: ['team', 'ops'],
    },
    {
      name: 'a summary only to the recipient it was made for',
      found: found(
        {
          kind: 'DailySummary',
          summary: {
            start: '',
            end: '',
            timeZone: 'UTC',
            completed: [],
            failed: [],
            waiting: [],
            started: 0,
            spentUSD: 0,
          },
        },
        ['ana'],
      ),
      want: ['ana'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(recipientsFor(c.found, recipients), c.want));
});
