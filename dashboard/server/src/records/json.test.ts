import assert from 'node:assert/strict';
import { postgresJSON } from './json.ts';

describe('postgresJSON', () => {
  it('writes NUL characters, which jsonb refuses, as visible text, anywhere in the value', () => {
    assert.equal(postgresJSON({ a: 'x\u0000y', b: ['\u0000'], n: 1 }), '{"a":"x\\\\u0000y","b":["\\\\u0000"],"n":1}');
    const decoded = JSON.parse(postgresJSON({ deep: { s: 'a\u0000' } })) as { deep: { s: string } };
    assert.equal(decoded.deep.s, 'a\\u0000', 'what Postgres decodes holds no NUL');
  });
  it('leaves everything else as JSON.stringify does', () => {
    const value = { s: 'ü 日 "q"', n: 1.5, t: true, z: null, list: [1, 'a'] };
    assert.equal(postgresJSON(value), JSON.stringify(value));
    assert.equal(postgresJSON(undefined), 'null');
  });
});
