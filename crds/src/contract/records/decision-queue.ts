// decision_queue: the questions runners ask, with everything needed to answer
// them; the operator writes the answer it finds in spec.decisions.
import { z } from 'zod';
import { decisionKindSchema, type DecisionKind } from '../decisions.ts';
import { defineTable, timestampColumn, uuidColumn } from './table.ts';

export const decisionRowSchema = z.object({
  id: z.string().min(1),
  story_uid: uuidColumn,
  namespace: z.string(),
  name: z.string(),
  session_id: uuidColumn.nullable(),
  kind: decisionKindSchema,
  step: z.string().nullable(),
  question: z.string(),
  context: z.string(),
  options: z.array(z.string()),
  recommendation: z.string().nullable(),
  asked_at: timestampColumn,
  answered_at: timestampColumn.nullable(),
  choice: z.string().nullable(),
  comment: z.string().nullable(),
  answered_by: z.string().nullable(),
});

export interface DecisionRecord {
  id: string;
  storyUid: string;
  namespace: string;
  name: string;
  sessionId: string | null;
  kind: DecisionKind;
  step: string | null;
  question: string;
  context: string;
  options: string[];
  recommendation: string | null;
  askedAt: Date;
  answeredAt: Date | null;
  choice: string | null;
  comment: string | null;
  answeredBy: string | null;
}

export const DECISION_COLUMNS = Object.keys(decisionRowSchema.shape).join(', ');

export const decisionSchema = decisionRowSchema.transform((row): DecisionRecord => ({
  id: row.id,
  storyUid: row.story_uid,
  namespace: row.namespace,
  name: row.name,
  sessionId: row.session_id,
  kind: row.kind,
  step: row.step,
  question: row.question,
  context: row.context,
  options: row.options,
  recommendation: row.recommendation,
  askedAt: row.asked_at,
  answeredAt: row.answered_at,
  choice: row.choice,
  comment: row.comment,
  answeredBy: row.answered_by,
}));

export const decisionQueue = defineTable('decision_queue', decisionSchema, (row) => row.id);

/** The answer columns alone (what a runner reads when it resumes). */
export const decisionAnswers = defineTable(
  'decision_queue',
  decisionRowSchema.pick({ id: true, choice: true, comment: true, answered_by: true, answered_at: true }),
  (row) => row.id,
);
