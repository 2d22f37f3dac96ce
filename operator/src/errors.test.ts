import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { apiErrorMessage } from './errors.ts';

describe('apiErrorMessage', () => {
  it('keeps the code and the API server message of a client-node error', () => {
    const body = JSON.stringify({
      kind: 'Status',
      reason: 'Forbidden',
      message: 'namespace x is being terminated',
      code: 403,
    });
    const error = new ApiException(403, 'HTTP-Code: 403\nMessage: Unknown API Status Code!\nBody: ...', body, {
      'audit-id': 'a',
    });
    assert.equal(apiErrorMessage(error), '403 Forbidden: namespace x is being terminated');
  });
  it('falls back to the message of any other error', () => {
    assert.equal(apiErrorMessage(new Error('socket hang up')), 'socket hang up');
  });
});
