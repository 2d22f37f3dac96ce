// The questions the workflow puts to a human: their ids (unique per story and
// question, stable across resumes) and what they say. Pure: no I/O.
import { createHash } from 'node:crypto';
import { GATE_CHOICES, type GateChoice } from '@nightshift/crds/contract';
import type { AgentQuestion } from '../agents/agent.ts';
import type { Decision } from '../records/decisions.ts';
import type { Assessment } from './confidence.ts';

export interface StoryKey {
  uid: string;
  name: string;
}

export function decisionId(story: StoryKey, kind: Decision['kind'], sequence: number, question: string): string {
  const hash = createHash('sha256').update([story.uid, kind, sequence, question].join('\0')).digest('hex').slice(0, 12);
  return `${story.name.slice(0, 200)}-${kind === 'ConfidenceGate' ? 'gate' : 'q'}${sequence}-${hash}`;
}

/** The nth question the agent asks (n counts from 1 over the story's life). */
export function agentDecision(story: StoryKey, sequence: number, question: AgentQuestion): Decision {
  return {
    id: decisionId(story, 'Decision', sequence, question.question),
    kind: 'Decision',
    step: 'implement',
    question: question.question,
    context: question.context,
    options: question.options,
    recommendation: question.recommendation,
  };
}

export const GATE_OPTIONS = GATE_CHOICES;
export type { GateChoice };

export interface GateContext {
  round: number;
  threshold: number;
  assessment: Assessment;
  implementation: string;
  verify: { configured: boolean; command: string[]; passed: boolean; attempt: number; output: string };
  review: { verdict: string; summary: string };
  diffstat: string;
}

export function gateDecision(story: StoryKey, gateRound: number, gate: GateContext): Decision {
  const question =
    `Confidence ${gate.assessment.confidence.toFixed(2)} is below the threshold ${gate.threshold.toFixed(2)}: ` +
    'deliver this change as a draft pull request anyway?';
  const rows = gate.assessment.factors.map(
    (f) => `| ${f.name} | ${f.score.toFixed(2)} | ${f.weight.toFixed(2)} | ${f.detail} |`,
  );
  const verify = gate.verify.configured
    ? `\`${gate.verify.command.join(' ')}\` ${gate.verify.passed ? 'passed' : 'failed'} on attempt ${gate.verify.attempt}.\n\n\`\`\`\n${gate.verify.output.slice(-3000)}\n\`\`\``
    : 'No verification command is configured (spec.verify).';
  const context = [
    `Gate ${gateRound} after implement round ${gate.round}.`,
    '',
    '| Evidence | Score | Weight | Detail |',
    '|---|---|---|---|',
    ...rows,
    '',
    `**Implementation:** ${gate.implementation}`,
    '',
    `**Tests:** ${verify}`,
    '',
    `**Review (${gate.review.verdict}):** ${gate.review.summary}`,
    '',
    '**Change:**',
    '```',
    gate.diffstat || '(no changes)',
    '```',
    '',
    'Options: `approve` delivers the change as it is; `retry` sends it back to implement (your comment becomes ' +
      'the feedback); `abort` ends the story as Failed.',
  ].join('\n');
  const weakest = [...gate.assessment.factors].sort((a, b) => a.score - b.score)[0];
  return {
    id: decisionId(story, 'ConfidenceGate', gateRound, question),
    kind: 'ConfidenceGate',
    step: 'gate',
    question,
    context,
    options: [...GATE_OPTIONS],
    recommendation: gate.review.verdict === 'request_changes' || (weakest?.score ?? 1) < 0.5 ? 'retry' : 'approve',
  };
}

/** A human's gate answer; free text that names no option is taken as a retry with that text as feedback. */
export function gateChoice(choice: string): GateChoice {
  const normalized = choice.trim().toLowerCase();
  return GATE_OPTIONS.find((o) => normalized === o || normalized.startsWith(`${o} `)) ?? 'retry';
}
