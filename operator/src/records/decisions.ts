// decision_queue: the questions runners ask, and the answers the operator
// copies in from spec.decisions. Rows are parsed with the contract's schema.
import type pg from 'pg';
import { ANSWERED_BY_SPEC, DECISION_COLUMNS, decisionQueue, type DecisionRecord } from '@nightshift/crds/contract';

export type { DecisionRecord } from '@nightshift/crds/contract';

export async function getDecision(pool: pg.Pool, id: string): Promise<DecisionRecord | undefined> {
  const { rows } = await pool.query(`select ${DECISION_COLUMNS} from decision_queue where id = $1`, [id]);
  return rows[0] === undefined ? undefined : decisionQueue.parse(rows[0]);
}

/** Records the answer once; a second call (a repeated reconcile) changes nothing. */
export async function answerDecision(
  pool: pg.Pool,
  answer: { id: string; choice: string; comment?: string | undefined },
): Promise<void> {
  await pool.query(
    `update decision_queue set answered_at = now(), choice = $2, comment = $3, answered_by = $4
      where id = $1 and answered_at is null`,
    [answer.id, answer.choice, answer.comment ?? null, ANSWERED_BY_SPEC],
  );
}
