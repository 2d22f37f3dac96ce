// decision_queue: questions for a human, asked with everything needed to
// answer them. The row is written once (its id is unique per story and
// question); the operator writes the answer into it.
import type pg from 'pg';
import { decisionAnswers, type DecisionQuestion } from '@nightshift/crds/contract';

export type Decision = DecisionQuestion;

export interface DecisionAnswer {
  choice: string;
  comment: string | null;
  answeredBy: string | null;
}

export class DecisionQueue {
  private readonly pool: pg.Pool;
  private readonly story: { uid: string; namespace: string; name: string };
  private readonly sessionId: string;

  constructor(pool: pg.Pool, story: { uid: string; namespace: string; name: string }, sessionId: string) {
    this.pool = pool;
    this.story = story;
    this.sessionId = sessionId;
  }

  /** Inserts the question unless it is already there; true when this call inserted it. */
  async ask(decision: Decision): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `insert into decision_queue (id, story_uid, namespace, name, session_id, kind, step, question, context, options, recommendation)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       on conflict (id) do nothing`,
      [
        decision.id,
        this.story.uid,
        this.story.namespace,
        this.story.name,
        this.sessionId,
        decision.kind,
        decision.step,
        decision.question,
        decision.context,
        JSON.stringify(decision.options),
        decision.recommendation ?? null,
      ],
    );
    return rowCount === 1;
  }

  /** The human's answer, or undefined while the question is open. */
  async answer(id: string): Promise<DecisionAnswer | undefined> {
    const { rows } = await this.pool.query(
      `select id, choice, comment, answered_by, answered_at from decision_queue
        where id = $1 and story_uid = $2 and answered_at is not null`,
      [id, this.story.uid],
    );
    if (rows[0] === undefined) return undefined;
    const row = decisionAnswers.parse(rows[0]);
    return { choice: row.choice ?? '', comment: row.comment, answeredBy: row.answered_by };
  }
}
