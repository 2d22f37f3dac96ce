// One interface for every agent backend (scripted, langchain, cli): the
// workflow asks it to plan, to implement (or to ask a human first) and to
// review; the workflow itself owns commits, verification, gates and delivery.
import type { StoryRunSpec } from '@nightshift/crds';
import type { CostMeter } from '../cost/meter.ts';
import type { Logger } from '../log.ts';
import type { EventSink } from '../records/events.ts';
import type { BranchSummary, Worktree } from '../worktree/worktree.ts';

export type Story = StoryRunSpec['story'];
export type AgentSpec = StoryRunSpec['agent'];

export interface AgentContext {
  story: Story;
  agent: AgentSpec;
  apiKey: string | undefined;
  worktree: Worktree;
  attempt: number;
  meter: CostMeter;
  /** How long a model call's reservation lives before its holder is taken for dead. */
  reservationTTLSeconds: number;
  events: EventSink;
  log: Logger;
}

/** A human's answer to an earlier question, as the agent sees it. */
export interface Answer {
  decisionId: string;
  question: string;
  choice: string;
  comment: string | null;
}

export interface AgentQuestion {
  question: string;
  options: string[];
  recommendation?: string | undefined;
  /** What a human needs to know to answer (markdown). */
  context: string;
}

export interface ImplementInput {
  /** 1 for the first implementation, 2 after a failed verification or a retry, ... */
  round: number;
  plan: string;
  answers: Answer[];
  /** Why the previous round was not good enough (failed tests, a reviewer's or a human's comment). */
  feedback: string | null;
}

export interface ImplementResult {
  summary: string;
  /** The agent's own confidence in its change, 0..1, when it gives one. */
  selfAssessment?: number | undefined;
  /** Set when the agent needs a human before it can go on; nothing else in the result counts then. */
  question?: AgentQuestion | undefined;
}

export interface VerifyOutcome {
  configured: boolean;
  passed: boolean;
  command: string[];
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** the tail of the command's output */
  output: string;
  attempt: number;
}

export type ReviewVerdict = 'approve' | 'comment' | 'request_changes' | 'none';

export interface ReviewInput {
  round: number;
  plan: string;
  implementation: string;
  change: BranchSummary;
  verify: VerifyOutcome;
}

export interface ReviewResult {
  verdict: ReviewVerdict;
  summary: string;
}

export interface StoryAgent {
  readonly name: string;
  plan(): Promise<string>;
  implement(input: ImplementInput): Promise<ImplementResult>;
  review(input: ReviewInput): Promise<ReviewResult>;
}
