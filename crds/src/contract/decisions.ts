// Questions a runner asks a human (decision_queue) and how they are answered
// (spec.decisions). The kinds tell a free question from a confidence gate.
import { z } from 'zod';

export const DECISION_KINDS = ['Decision', 'ConfidenceGate'] as const;
export const decisionKindSchema = z.enum(DECISION_KINDS);
export type DecisionKind = z.infer<typeof decisionKindSchema>;

/** The answers a confidence gate offers, in this order (the dashboard's quick actions for it). */
export const GATE_CHOICES = ['approve', 'retry', 'abort'] as const;
export type GateChoice = (typeof GATE_CHOICES)[number];

/** What the runner asks: the interrupt value of its workflow and the decision_queue row it writes. */
export const decisionQuestionSchema = z.object({
  /** Unique per story and question. */
  id: z.string().min(1).max(253),
  kind: decisionKindSchema,
  step: z.string().min(1),
  question: z.string().min(1),
  /** Everything a human needs to decide (markdown). */
  context: z.string(),
  options: z.array(z.string()),
  recommendation: z.string().optional(),
});
export type DecisionQuestion = z.infer<typeof decisionQuestionSchema>;

/** Who answered: the operator copies answers from spec.decisions. */
export const ANSWERED_BY_SPEC = 'spec.decisions';
