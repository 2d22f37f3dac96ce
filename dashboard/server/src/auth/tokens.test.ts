import assert from 'node:assert/strict';
import { hashSecret, newToken, parseToken, secretMatches } from './tokens.ts';

describe('dashboard tokens', () => {
  it('makes tokens it can parse back into id and secret, and stores only a hash', () => {
    const { token, id, hash } = newToken();
    const parsed = parseToken(token);
    assert.equal(parsed?.id, id);
    assert.ok(parsed && secretMatches(parsed.secret, hash));
    assert.ok(!hash.toString('hex').includes(parsed!.secret), 'the hash is not the secret');
    assert.match(token, /^[A-Za-z0-9_-]+$/, 'usable as a WebSocket subprotocol token');
  });

  it('makes a different token every time', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => newToken().token));
    assert.equal(tokens.size, 100);
  });

  const malformed = [
    '',
    'Bearer x',
    'nsd_short_x',
    `nsd_${'a'.repeat(12)}_${'b'.repeat(42)}`,
    `nsd_${'A'.repeat(12)}_${'b'.repeat(43)}`,
  ];
  for (const token of malformed)
    it(`refuses the malformed ${JSON.stringify(token.slice(0, 20))}`, () => assert.equal(parseToken(token), undefined));

  it('a secret that differs in one character does not match', () => {
    const { token, hash } = newToken();
    const { secret } = parseToken(token)!;
    const other = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    assert.equal(secretMatches(other, hash), false);
    assert.equal(secretMatches(secret, hashSecret(other)), false);
  });
});
