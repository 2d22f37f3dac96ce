// Who is asking: the bearer token of a request (REST: Authorization; the
// WebSocket: its subprotocol), checked against the hashed tokens in
// Postgres. Failed attempts are counted per client address, and an address
// with too many in a minute is refused (429) before its token is looked at.
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type pg from 'pg';
import { usageRecorder, verifyToken, type TokenIdentity } from './tokens.ts';

export type AuthResult =
  | { ok: true; identity: TokenIdentity }
  | { ok: false; status: 401 | 429; detail: string; headers: Record<string, string> };

export const WWW_AUTHENTICATE = 'Bearer realm="nightshift"';

export class Authenticator {
  private readonly pool: pg.Pool;
  private readonly failures: RateLimiterMemory;
  private readonly maxFailures: number;
  private readonly used: (identity: TokenIdentity) => void;

  constructor(pool: pg.Pool, options: { failuresPerMinute: number; onError: (error: Error) => void }) {
    this.pool = pool;
    this.maxFailures = options.failuresPerMinute;
    this.failures = new RateLimiterMemory({ points: options.failuresPerMinute, duration: 60 });
    this.used = usageRecorder(pool, options.onError);
  }

  async authenticate(address: string, token: string | undefined): Promise<AuthResult> {
    const record = await this.failures.get(address);
    if (record && record.consumedPoints >= this.maxFailures) {
      const seconds = Math.max(1, Math.ceil(record.msBeforeNext / 1000));
      return {
        ok: false,
        status: 429,
        detail: `too many failed logins from ${address}; try again in ${seconds} s`,
        headers: { 'Retry-After': String(seconds) },
      };
    }
    const identity = token ? await verifyToken(this.pool, token) : undefined;
    if (identity) {
      this.used(identity);
      return { ok: true, identity };
    }
    await this.failures.penalty(address, 1);
    return {
      ok: false,
      status: 401,
      detail: token ? 'the token is not valid (unknown, malformed or revoked)' : 'a bearer token is required',
      headers: { 'WWW-Authenticate': WWW_AUTHENTICATE },
    };
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
