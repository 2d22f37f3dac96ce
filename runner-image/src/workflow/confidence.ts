// How confident the runner is that a change meets its story, from evidence:
//
//   confidence = 0.45 · tests + 0.25 · review + 0.30 · self
//
//   tests   1.0 when verification passed on the first attempt, 0.2 less for
//           each failed attempt before it passed (at least 0.5); 0.5 when no
//           verification command is configured (no evidence); 0 when it failed
//   review  approve 1.0, comment 0.6, none (no separate review) 0.6,
//           request_changes 0.2
//   self    the agent's own assessment (0..1); 0.6 when it gave none
//
// Tests weigh most because they are the only evidence the agent cannot talk
// itself into. With a passing first attempt and an approving review, a self
// assessment below ~0.33 is enough to take a story under the default 0.8
// threshold; without any verification command a story never clears 0.8 on its
// own (0.225 + 0.25 + 0.30 = 0.775), so a human looks at it.
// Pure: no I/O.
import type { ReviewVerdict } from '../agents/agent.ts';

export const WEIGHTS = { tests: 0.45, review: 0.25, self: 0.3 } as const;

export interface Evidence {
  verify: { configured: boolean; passed: boolean; attempts: number };
  review: ReviewVerdict;
  selfAssessment: number | undefined;
}

export interface Factor {
  name: 'tests' | 'review' | 'self';
  score: number;
  weight: number;
  detail: string;
}

export interface Assessment {
  confidence: number;
  factors: Factor[];
}

const REVIEW_SCORES: Record<ReviewVerdict, number> = { approve: 1, comment: 0.6, none: 0.6, request_changes: 0.2 };

export function assessConfidence(evidence: Evidence): Assessment {
  const { verify } = evidence;
  const tests = !verify.configured
    ? { score: 0.5, detail: 'no verification command configured' }
    : !verify.passed
      ? { score: 0, detail: `verification failed after ${verify.attempts} attempt(s)` }
      : {
          score: Math.max(0.5, 1 - 0.2 * (verify.attempts - 1)),
          detail: verify.attempts === 1 ? 'passed on the first attempt' : `passed on attempt ${verify.attempts}`,
        };
  const self =
    evidence.selfAssessment === undefined
      ? { score: 0.6, detail: 'the agent gave no self-assessment' }
      : { score: clamp(evidence.selfAssessment), detail: `the agent's self-assessment` };
  const factors: Factor[] = [
    { name: 'tests', weight: WEIGHTS.tests, ...tests },
    {
      name: 'review',
      weight: WEIGHTS.review,
      score: REVIEW_SCORES[evidence.review],
      detail: `review verdict: ${evidence.review}`,
    },
    { name: 'self', weight: WEIGHTS.self, ...self },
  ];
  const confidence = factors.reduce((sum, f) => sum + f.weight * f.score, 0);
  return { confidence: Math.round(confidence * 1000) / 1000, factors };
}

function clamp(n: number): number {
  return Math.min(1, Math.max(0, n));
}
