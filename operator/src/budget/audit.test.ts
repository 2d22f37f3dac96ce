import assert from 'node:assert/strict';
import { changedBy } from './audit.ts';

describe('changedBy', () => {
  it('names the latest spec writer and who confirmed, with the audit reason', () => {
    const fields = [
      { manager: 'kubectl-create', operation: 'Update', time: '2026-11-25T10:00:00Z', fieldsV1: { 'f:spec': {} } },
      {
        manager: 'kubectl-patch',
        operation: 'Update',
        time: '2026-11-25T11:00:00Z',
        fieldsV1: { 'f:spec': { 'f:dailyLimitUSD': {} } },
      },
      {
        manager: 'nightshift-dashboard',
        operation: 'Update',
        time: '2026-11-25T11:01:00Z',
        fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:nightshift.dev/confirm-increase': {} } } },
      },
      {
        manager: 'nightshift-operator',
        operation: 'Update',
        time: '2026-11-25T11:02:00Z',
        fieldsV1: { 'f:status': {} },
      },
    ];
    assert.deepEqual(changedBy(fields, { 'nightshift.dev/change-reason': 'alice: release day' }), {
      by: 'kubectl-patch; confirmed by nightshift-dashboard',
      reason: 'alice: release day',
    });
    assert.deepEqual(changedBy(undefined, undefined), { by: undefined, reason: undefined });
  });
});
