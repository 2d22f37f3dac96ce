// The story workflow as a LangGraph StateGraph:
//
//   plan → implement ─(question)→ ask → implement
//              └→ commit → verify ─(failed, attempts left)→ implement
//                            ├─(failed, none left)→ end (Failed)
//                            └→ review → gate ─(retry)→ implement
//                                          ├─(abort)→ end (Failed)
//                                          └→ rebase ─(conflict: retry)→ rebase
//                                               ├─(conflict: abort)→ end (Failed)
//                                               └→ push → open_pull_request → end (Succeeded)
//
// Each side effect (model calls, the commit, the push, the pull request) has a
// step of its own, because LangGraph re-runs an interrupted step from its
// start; with durability "sync" a finished step is never run again.
import { END, START, StateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { WorkflowDeps } from './deps.ts';
import { instrument } from './instrument.ts';
import { askStep } from './nodes/ask.ts';
import { commitStep } from './nodes/commit.ts';
import { openPullRequestStep, pushStep } from './nodes/deliver.ts';
import { gateStep } from './nodes/gate.ts';
import { implementStep } from './nodes/implement.ts';
import { planStep } from './nodes/plan.ts';
import { rebaseStep } from './nodes/rebase.ts';
import { reviewStep } from './nodes/review.ts';
import { verifyStep } from './nodes/verify.ts';
import { StoryState, type State } from './state.ts';

/** Workflow node → the step it reports (crds STORY_STEPS). */
export const NODE_STEPS = {
  plan: 'plan',
  implement: 'implement',
  ask: 'implement',
  commit: 'implement',
  verify: 'verify',
  review: 'review',
  gate: 'gate',
  rebase: 'deliver',
  push: 'deliver',
  open_pull_request: 'deliver',
} as const;

export function buildStoryGraph(deps: WorkflowDeps, checkpointer: BaseCheckpointSaver) {
  const step = <N extends keyof typeof NODE_STEPS>(node: N, body: Parameters<typeof instrument>[3]) =>
    instrument(deps, node, NODE_STEPS[node], body);
  return new StateGraph(StoryState)
    .addNode('plan', step('plan', planStep(deps)))
    .addNode('implement', step('implement', implementStep(deps)))
    .addNode('ask', step('ask', askStep(deps)))
    .addNode('commit', step('commit', commitStep(deps)))
    .addNode('verify', step('verify', verifyStep(deps)))
    .addNode('review', step('review', reviewStep(deps)))
    .addNode('gate', step('gate', gateStep(deps)))
    .addNode('rebase', step('rebase', rebaseStep(deps)))
    .addNode('push', step('push', pushStep(deps)))
    .addNode('open_pull_request', step('open_pull_request', openPullRequestStep(deps)))
    .addEdge(START, 'plan')
    .addEdge('plan', 'implement')
    .addConditionalEdges('implement', (s: State) => (s.question ? 'ask' : 'commit'), ['ask', 'commit'])
    .addEdge('ask', 'implement')
    .addEdge('commit', 'verify')
    .addConditionalEdges('verify', (s: State) => (s.result ? END : s.verification?.passed ? 'review' : 'implement'), [
      'review',
      'implement',
      END,
    ])
    .addEdge('review', 'gate')
    .addConditionalEdges(
      'gate',
      (s: State) => (s.result ? END : s.gateResult?.choice === 'retry' ? 'implement' : 'rebase'),
      ['implement', 'rebase', END],
    )
    .addConditionalEdges('rebase', (s: State) => (s.result ? END : s.rebaseRetry ? 'rebase' : 'push'), [
      'rebase',
      'push',
      END,
    ])
    .addEdge('push', 'open_pull_request')
    .addEdge('open_pull_request', END)
    .compile({ checkpointer });
}

export type StoryGraph = ReturnType<typeof buildStoryGraph>;
