// Bearer tokens: `nsd_<id>_<secret>`. The id names the row; only the SHA-256
// of the secret is stored, and a presented secret is compared with it in
// constant time. Secrets are 256 random bits, so a fast hash is enough (a
// slow one protects guessable passwords, not random keys).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import {
  DASHBOARD_TOKEN_COLUMNS,
  dashboardTokens,
  type DashboardTokenRow,
  type TokenScope,
} from '@nightshift/crds/contract';

const TOKEN_PATTERN = /^nsd_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface ParsedToken {
  id: string;
  secret: string;
}

export function parseToken(token: string): ParsedToken | undefined {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

export const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret).digest();

export function newToken(): { token: string; id: string; hash: Buffer } {
  const id = randomBytes(8).toString('hex').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { token: `nsd_${id}_${secret}`, id, hash: hashSecret(secret) };
}

/** Whether secret is the one whose hash is stored, in time that does not depend on where they differ. */
export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const presented = hashSecret(secret);
  return presented.length === storedHash.length && timingSafeEqual(presented, storedHash);
}

export interface TokenIdentity {
  id: string;
  name: string;
  scope: TokenScope;
}

export class TokenError extends Error {
  override name = 'TokenError';
}

/** The live token a presented string is, or undefined (unknown, malformed, wrong secret or revoked). */
export async function verifyToken(pool: pg.Pool, presented: string): Promise<TokenIdentity | undefined> {
  const parsed = parseToken(presented);
  if (!parsed) return undefined;
  const { rows } = await pool.query(
    `select ${DASHBOARD_TOKEN_COLUMNS} from dashboard_tokens where id = $1 and revoked_at is null`,
    [parsed.id],
  );
  const row = rows[0] === undefined ? undefined : dashboardTokens.parse(rows[0]);
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return undefined;
  return { id: row.id, name: row.name, scope: row.scope };
}

export async function createToken(
  db: pg.Pool | pg.PoolClient,
  options: { name: string; scope: TokenScope; createdBy: string },
): Promise<{ token: string; identity: TokenIdentity }> {
  const { token, id, hash } = newToken();
  try {
    await db.query(
      'insert into dashboard_tokens (id, name, secret_hash, scope, created_by) values ($1, $2, $3, $4, $5)',
      [id, options.name, hash, options.scope, options.createdBy],
    );
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new TokenError(`a token named "${options.name}" exists already: revoke it first or choose another name`);
    }
    throw error;
  }
  return { token, identity: { id, name: options.name, scope: options.scope } };
}

/** Revokes the live token of that name; false when there is none. */
export async function revokeToken(pool: pg.Pool, name: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    'update dashboard_tokens set revoked_at = now() where name = $1 and revoked_at is null',
    [name],
  );
  return rowCount === 1;
}

export async function listTokens(pool: pg.Pool): Promise<DashboardTokenRow[]> {
  const { rows } = await pool.query(`select ${DASHBOARD_TOKEN_COLUMNS} from dashboard_tokens order by created_at, id`);
  return dashboardTokens.parseAll(rows);
}

/** Notes that a token was used, at most once a minute per token (no write per request). */
export function usageRecorder(pool: pg.Pool, onError: (error: Error) => void): (identity: TokenIdentity) => void {
  const last = new Map<string, number>();
  return (identity) => {
    const now = Date.now();
    if (now - (last.get(identity.id) ?? 0) < 60_000) return;
    last.set(identity.id, now);
    pool.query('update dashboard_tokens set last_used_at = now() where id = $1', [identity.id]).catch(onError);
  };
}

/**
 * The first token, made once: on the first start of any dashboard against
 * this database (two replicas starting together make one between them).
 * Returns the token to print, or undefined when tokens exist already.
 */
export async function bootstrapToken(pool: pg.Pool): Promise<string | undefined> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query("select pg_advisory_xact_lock(hashtext('nightshift.dashboard.bootstrap'))");
    const { rows } = await client.query('select exists (select 1 from dashboard_tokens) as some');
    if (rows[0]?.some === true) {
      await client.query('rollback');
      return undefined;
    }
    const { token } = await createToken(client, { name: 'admin', scope: 'write', createdBy: 'first start' });
    await client.query('commit');
    return token;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
