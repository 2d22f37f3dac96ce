// The audit of every control: a row written 'pending' before the spec patch
// (so a crash mid-control still leaves its trace), finished with before →
// after and how it ended. Rows are parsed with the contract's schema.
import type pg from 'pg';
import { postgresJSON } from './json.ts';
import {
  DASHBOARD_AUDIT_COLUMNS,
  dashboardAudit,
  type AuditOutcome,
  type DashboardAuditRow,
} from '@nightshift/crds/contract';

export interface AuditStart {
  tokenId: string | null;
  tokenName: string;
  action: string;
  kind: string;
  namespace: string | null;
  name: string | null;
  request: unknown;
}

export interface AuditEnd {
  outcome: AuditOutcome;
  status: number;
  before?: unknown;
  after?: unknown;
  error?: string;
}

export interface AuditLog {
  start(entry: AuditStart): Promise<number>;
  finish(id: number, end: AuditEnd): Promise<void>;
}

export function auditLog(pool: pg.Pool): AuditLog {
  return {
    async start(entry) {
      const { rows } = await pool.query(
        `insert into dashboard_audit (token_id, token_name, action, kind, namespace, name, request, outcome)
         values ($1, $2, $3, $4, $5, $6, $7, 'pending') returning id`,
        [
          entry.tokenId,
          entry.tokenName,
          entry.action,
          entry.kind,
          entry.namespace,
          entry.name,
          postgresJSON(entry.request ?? {}),
        ],
      );
      return Number(rows[0].id);
    },
    async finish(id, end) {
      await pool.query(
        `update dashboard_audit set outcome = $2, status = $3, before = $4, after = $5, error = $6, finished_at = now()
          where id = $1`,
        [
          id,
          end.outcome,
          end.status,
          end.before === undefined ? null : postgresJSON(end.before),
          end.after === undefined ? null : postgresJSON(end.after),
          end.error ?? null,
        ],
      );
    },
  };
}

export async function listAudit(
  pool: pg.Pool,
  { namespace, name, beforeId, limit }: { namespace?: string; name?: string; beforeId?: number; limit: number },
): Promise<DashboardAuditRow[]> {
  const { rows } = await pool.query(
    `select ${DASHBOARD_AUDIT_COLUMNS} from dashboard_audit
      where ($1::text is null or namespace = $1) and ($2::text is null or name = $2) and ($3::bigint is null or id < $3)
      order by id desc limit $4`,
    [namespace ?? null, name ?? null, beforeId ?? null, limit],
  );
  return dashboardAudit.parseAll(rows);
}
