// decision_queue: the questions runners ask, and the answers the operator
// copies in from spec.decisions.
import type pg from 'pg';
import type { DecisionView } from '../storyrun/observation.ts';

export async function getDecision(pool: pg.Pool, id: string): Promise<DecisionView | undefined> {
  const { rows } = await pool.query(
    `select id, kind, step, question, context, options, recommendation, asked_at, answered_at, choice
       from decision_queue where id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    kind: row.kind,
    step: row.step,
    question: row.question,
    context: row.context,
    options: Array.isArray(row.options) ? row.options.map(String) : [],
    recommendation: row.recommendation,
    askedAt: row.asked_at,
    answeredAt: row.answered_at,
    choice: row.choice,
  };
}

/** Records the answer once; a second call (a repeated reconcile) changes nothing. */
export async function answerDecision(
  pool: pg.Pool,
  answer: { id: string; choice: string; comment?: string | undefined; answeredBy: string },
): Promise<void> {
  await pool.query(
    `update decision_queue set answered_at = now(), choice = $2, comment = $3, answered_by = $4
      where id = $1 and answered_at is null`,
    [answer.id, answer.choice, answer.comment ?? null, answer.answeredBy],
  );
}
