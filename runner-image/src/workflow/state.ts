// The story workflow's state, checkpointed in Postgres after every step. Plain
// JSON only: it must survive a new process reading it back.
import { Annotation } from '@langchain/langgraph';
import type { AgentQuestion, Answer, ReviewResult, VerifyOutcome } from '../agents/agent.ts';
import type { GateRecord } from '../deliver/description.ts';

export type StoryResult =
  | { outcome: 'Succeeded'; pullRequest: { url: string; number: number }; confidence: number }
  | { outcome: 'Failed'; reason: string; message: string };

export const StoryState = Annotation.Root({
  planText: Annotation<string>(),
  /** implement rounds completed */
  round: Annotation<number>(),
  /** the agent's open question, routed to the ask step */
  question: Annotation<AgentQuestion | null>(),
  /** human answers to the agent's questions */
  answers: Annotation<Answer[]>(),
  /** human answers at confidence gates */
  gateAnswers: Annotation<Answer[]>(),
  /** why the next implement round is needed */
  feedback: Annotation<string | null>(),
  implementation: Annotation<{ summary: string; selfAssessment: number | undefined } | null>(),
  commits: Annotation<string[]>(),
  /** verification attempts since the last human retry */
  verifyAttempts: Annotation<number>(),
  verification: Annotation<VerifyOutcome | null>(),
  reviewResult: Annotation<ReviewResult | null>(),
  gateResult: Annotation<GateRecord | null>(),
  /** a human asked to rebase again after a conflict */
  rebaseRetry: Annotation<boolean>(),
  pushedSha: Annotation<string | null>(),
  pullRequest: Annotation<{ url: string; number: number } | null>(),
  result: Annotation<StoryResult | null>(),
  /** how often each node has completed: keys events so a re-run step writes them once */
  visits: Annotation<Record<string, number>>(),
});

export type State = typeof StoryState.State;
export type Update = typeof StoryState.Update;

export function initialState(): State {
  return {
    planText: '',
    round: 0,
    question: null,
    answers: [],
    gateAnswers: [],
    feedback: null,
    implementation: null,
    commits: [],
    verifyAttempts: 0,
    verification: null,
    reviewResult: null,
    gateResult: null,
    rebaseRetry: false,
    pushedSha: null,
    pullRequest: null,
    result: null,
    visits: {},
  };
}
