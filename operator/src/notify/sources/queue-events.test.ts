import assert from 'node:assert/strict';
import { notificationOfQueueEvent, type QueueEventRow } from './queue-events.ts';

const event = (type: string, data: Record<string, unknown> = {}): QueueEventRow => ({
  id: '9',
  namespace: 'team-a',
  queue_name: 'nightly',
  type,
  message: '3 stories failed within 60 minutes; the queue is paused',
  data,
  occurred_at: new Date('2026-11-25T02:00:00Z'),
});

describe('notificationOfQueueEvent', () => {
  it('an auto-pause is a RepeatedFailures notification naming the queue and the failed stories', () => {
    const found = notificationOfQueueEvent(
      event('AutoPaused', {
        failures: [
          { name: 'a', uid: 'u1', reason: 'VerificationFailed', failedAt: '2026-11-25T01:10:00Z' },
          { name: 'b', uid: 'u2', reason: 'BackoffLimitExceeded', failedAt: '2026-11-25T01:40:00Z' },
        ],
        withinMinutes: 60,
      }),
    );
    assert.equal(found?.key, 'queue-event/9');
    assert.equal(found?.fingerprint, 'RepeatedFailures/queue/team-a/nightly');
    assert.deepEqual(found?.notification, {
      kind: 'RepeatedFailures',
      queue: { namespace: 'team-a', name: 'nightly' },
      failures: [
        { name: 'a', reason: 'VerificationFailed' },
        { name: 'b', reason: 'BackoffLimitExceeded' },
      ],
      message: '3 stories failed within 60 minutes; the queue is paused',
    });
  });

  it('other queue events say nothing', () => assert.equal(notificationOfQueueEvent(event('Resumed')), undefined));

  it('an auto-pause without its failures is an error, not a silent drop', () => {
    assert.throws(() => notificationOfQueueEvent(event('AutoPaused', {})), /failures/);
  });
});
