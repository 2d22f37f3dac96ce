import assert from 'node:assert/strict';
import { errorMessage } from './errors.ts';

describe('errorMessage', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
  const cases: { name: string; error: unknown; message: string }[] = [
    { name: 'a plain error', error: new Error('boom'), message: 'boom' },
    {
      name: "fetch's wrapper with the reason in its cause",
      error: new TypeError('fetch failed', { cause: refused }),
      message: 'fetch failed: connect ECONNREFUSED 127.0.0.1:6443',
    },
    {
      name: 'a cause that repeats the message is said once',
      error: new Error('timeout', { cause: new Error('timeout') }),
      message: 'timeout',
    },
    { name: 'something thrown that is not an Error', error: 'a string', message: 'a string' },
    { name: 'nothing at all', error: undefined, message: 'unknown error' },
    { name: 'an error without a message', error: new Error(''), message: 'unknown error' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(errorMessage(c.error), c.message));
});
