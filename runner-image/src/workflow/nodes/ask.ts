// ask: puts the agent's question to a human. interrupt() stops the graph here;
// the run mode writes the decision_queue row and exits. A later process
// resumes this step with the answer, and it re-runs from its start — so there
// is nothing before interrupt() but reading state.
import { interrupt } from '@langchain/langgraph';
import type { WorkflowDeps } from '../deps.ts';
import { agentDecision } from '../decisions.ts';
import type { State, Update } from '../state.ts';

export interface HumanAnswer {
  choice: string;
  comment: string | null;
}

export function askStep(deps: WorkflowDeps) {
  return async (state: State): Promise<Update> => {
    const question = state.question!;
    const decision = agentDecision(deps.story, state.answers.length + 1, question);
    const answer = interrupt<typeof decision, HumanAnswer>(decision);
    return {
      question: null,
      answers: [
        ...state.answers,
        { decisionId: decision.id, question: question.question, choice: answer.choice, comment: answer.comment },
      ],
    };
  };
}
