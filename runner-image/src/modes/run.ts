// run mode: work the story through the checkpointed workflow, from wherever
// its last checkpoint left it, and turn how it stopped into the outcome the
// ADR names: Succeeded or Failed (the graph ended), WaitingForHuman (it waits
// on a question), Paused (SIGTERM, or the cost cap).
import { Command } from '@langchain/langgraph';
import { BudgetLedger } from '@nightshift/crds/ledger';
import { decisionQuestionSchema } from '@nightshift/crds/contract';
import { createAgent } from '../agents/index.ts';
import { CostMeter } from '../cost/meter.ts';
import { Pricing } from '../cost/pricing.ts';
import { StopRequested } from '../errors.ts';
import { DecisionQueue, type Decision } from '../records/decisions.ts';
import type { Outcome } from '../records/session.ts';
import { openCheckpointer } from '../workflow/checkpointer.ts';
import { buildStoryGraph, type StoryGraph } from '../workflow/graph.ts';
import { initialState, type State, type StoryResult } from '../workflow/state.ts';
import { acquireStoryLock, prepareWorktree, storyOf, type Runtime } from './runtime.ts';

export async function runStory(rt: Runtime): Promise<Outcome> {
  const story = storyOf(rt);
  const { spec } = rt.config.storyRun;
  const lock = await acquireStoryLock(rt);
  try {
    const ledger = new BudgetLedger(rt.pool, {
      storyUid: story.uid,
      sessionId: rt.config.sessionId,
      ttlSeconds: rt.config.reservationTTLSeconds,
      budgetKeys: rt.config.budgetKeys,
    });
    const { abandoned, expired } = await ledger.open(spec.maxCostUSD);
    if (abandoned + expired > 0) {
      rt.log.warn(
        { abandoned, expired },
        'charged the reservations of runners that died at their worst case (unconfirmed)',
      );
    }
    await rt.session.setCost(await ledger.settledTotal());
    if (rt.stopRequested()) throw new StopRequested();

    const { worktree } = await prepareWorktree(rt);
    const meter = new CostMeter({
      ledger,
      pricing: new Pricing(rt.config.modelPrices),
      events: rt.events,
      log: rt.log,
      onCostChanged: (total) => rt.session.setCost(total),
    });
    const agent = await createAgent({
      story: spec.story,
      agent: spec.agent,
      apiKey: rt.config.agentApiKey,
      worktree,
      attempt: rt.config.attempt,
      meter,
      reservationTTLSeconds: rt.config.reservationTTLSeconds,
      events: rt.events,
      log: rt.log,
    });
    const saver = await openCheckpointer(rt.config.databaseURL, lock);
    try {
      const graph = buildStoryGraph(
        {
          story,
          spec,
          attempt: rt.config.attempt,
          agent,
          worktree,
          events: rt.events,
          session: rt.session,
          ledger,
          pool: rt.pool,
          log: rt.log,
          dashboardURL: rt.config.dashboardURL,
          gitToken: rt.config.gitToken,
          stopRequested: rt.stopRequested,
        },
        saver,
      );
      return await advance(rt, graph, new DecisionQueue(rt.pool, story, rt.config.sessionId));
    } finally {
      await saver.end().catch(() => undefined);
    }
  } finally {
    await lock.release();
  }
}

async function advance(rt: Runtime, graph: StoryGraph, decisions: DecisionQueue): Promise<Outcome> {
  const config = {
    configurable: { thread_id: storyOf(rt).uid },
    durability: 'sync' as const,
    recursionLimit: 500,
  };
  const before = await graph.getState(config);
  const pending = pendingDecision(before);
  let input: Parameters<StoryGraph['invoke']>[0];
  if (pending) {
    const answer = await decisions.answer(pending.id);
    if (!answer) return waitForHuman(rt, decisions, pending);
    await rt.events.record({
      type: 'DecisionAnswered',
      step: pending.step,
      message: `${pending.question} → ${answer.choice}`,
      data: { decisionId: pending.id, kind: pending.kind, ...answer },
      key: `decision-answered:${pending.id}`,
    });
    rt.log.info({ decisionId: pending.id, choice: answer.choice }, 'resuming with the human answer');
    input = new Command({ resume: { choice: answer.choice, comment: answer.comment } });
  } else if (before.next.length > 0) {
    rt.log.info({ next: before.next }, 'resuming from the last checkpoint');
    input = null;
  } else if ((before.values as Partial<State>).result) {
    rt.log.info('the workflow had already ended; recording its outcome again');
    return outcomeOf((before.values as State).result!);
  } else {
    input = initialState();
  }

  await graph.invoke(input, config);

  const after = await graph.getState(config);
  const asked = pendingDecision(after);
  if (asked) return waitForHuman(rt, decisions, asked);
  const result = (after.values as Partial<State>).result;
  if (!result) throw new Error(`the workflow stopped without a result (next: ${after.next.join(', ') || 'none'})`);
  return outcomeOf(result);
}

/** The question the graph is interrupted on, as the workflow asked it (parsed: a checkpoint is data from the database). */
function pendingDecision(snapshot: { tasks: { interrupts: { value?: unknown }[] }[] }): Decision | undefined {
  const interrupt = snapshot.tasks.flatMap((t) => t.interrupts)[0];
  if (!interrupt) return undefined;
  const parsed = decisionQuestionSchema.safeParse(interrupt.value);
  if (!parsed.success) {
    throw new Error(`the workflow is interrupted on something that is not a decision: ${parsed.error.message}`);
  }
  return parsed.data;
}

async function waitForHuman(rt: Runtime, decisions: DecisionQueue, decision: Decision): Promise<Outcome> {
  await decisions.ask(decision);
  await rt.events.record({
    type: 'DecisionAsked',
    step: decision.step,
    message: decision.question,
    data: { ...decision },
    key: `decision-asked:${decision.id}`,
  });
  return { outcome: 'WaitingForHuman', detail: { decisionId: decision.id } };
}

function outcomeOf(result: StoryResult): Outcome {
  if (result.outcome === 'Succeeded') {
    return { outcome: 'Succeeded', detail: { pullRequest: result.pullRequest, confidence: result.confidence } };
  }
  return { outcome: 'Failed', detail: { reason: result.reason, message: result.message } };
}
