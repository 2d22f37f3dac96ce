import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { RecordError } from './table.ts';
import { executionSessions } from './execution-sessions.ts';
import { executionEvents } from './execution-events.ts';

const sessionRow = (over: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  story_uid: randomUUID(),
  namespace: 'ns',
  name: 's',
  story_id: 'S-1',
  attempt: 1,
  mode: 'run',
  pod_name: 's-1',
  pod_uid: null,
  max_cost_usd: '1.500000',
  daemon_run_id: null,
  created_at: new Date('2026-11-25T12:00:00Z'),
  runner_started_at: null,
  heartbeat_at: null,
  step: 'plan',
  cost_usd: '0.250000',
  ended_at: null,
  outcome: null,
  outcome_detail: null,
  error: null,
  ...over,
});

describe('contract: records', () => {
  it('parses an execution_sessions row as node-postgres returns it (numeric as strings)', () => {
    const session = executionSessions.parse(sessionRow());
    assert.equal(session.costUSD, 0.25);
    assert.equal(session.maxCostUSD, 1.5);
    assert.equal(session.result, null);
  });

  it('types the outcome from outcome + outcome_detail', () => {
    const session = executionSessions.parse(
      sessionRow({
        ended_at: new Date(),
        outcome: 'Succeeded',
        outcome_detail: { pullRequest: { url: 'u', number: 7 }, confidence: 0.8 },
      }),
    );
    assert.ok(session.result?.outcome === 'Succeeded');
    assert.equal(session.result.detail.pullRequest.number, 7);
  });

  it('a row that does not parse is an error naming the table, the column and the row id', () => {
    const row = sessionRow({ outcome: 'Succeeded', outcome_detail: { pullRequest: { url: 'u', number: 'seven' } } });
    assert.throws(
      () => executionSessions.parse(row),
      (error: unknown) => {
        assert.ok(error instanceof RecordError);
        assert.equal(error.table, 'execution_sessions');
        assert.equal(error.rowId, row.id);
        assert.equal(error.column, 'outcome_detail');
        assert.match(error.message, new RegExp(`^execution_sessions row ${row.id} does not match its schema: `));
        assert.match(error.message, /column outcome_detail \(at pullRequest\.number\)/);
        return true;
      },
    );
    assert.throws(() => executionSessions.parse(sessionRow({ cost_usd: 'lots' })), /column cost_usd/);
    assert.throws(() => executionSessions.parse(sessionRow({ mode: 'walk' })), /column mode/);
  });

  it("checks an event's data against its type, and lets unknown types from newer writers through", () => {
    const base = {
      id: '42',
      session_id: null,
      story_uid: randomUUID(),
      occurred_at: new Date(),
      source: 'runner',
      step: null,
      message: null,
      idempotency_key: null,
    };
    assert.equal(executionEvents.parse({ ...base, type: 'Heartbeat', data: { beat: 3 } }).data.beat, 3);
    assert.throws(
      () => executionEvents.parse({ ...base, type: 'Heartbeat', data: { beat: 'three' } }),
      /execution_events row 42 .*column data \(at beat\)/,
    );
    assert.equal(executionEvents.parse({ ...base, type: 'FutureThing', data: { x: 1 } }).type, 'FutureThing');
  });
});
