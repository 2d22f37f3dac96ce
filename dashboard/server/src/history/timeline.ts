// The timeline: which stories ran when, per story one lane with its steps,
// pauses and waits for a human as spans, its transitions as markers, and its
// cost accumulating — built from the recorded events of a time range.
import type { ExecutionEvent } from '@nightshift/crds/contract';
import type { TimelineLane } from '../api/schemas.ts';

export interface LaneStory {
  namespace: string;
  name: string;
  title: string | null;
  queue: string | null;
}

const MARKED_RUNNER_TYPES = new Set([
  'DecisionAsked',
  'DecisionAnswered',
  'PullRequestOpened',
  'BudgetRefused',
  'SlowStep',
  'RunnerError',
]);

export function buildTimeline(
  events: readonly ExecutionEvent[],
  storyOf: (uid: string) => LaneStory | undefined,
): { lanes: TimelineLane[]; maxParallel: number } {
  const lanes = new Map<string, TimelineLane & { openStep?: number; openPause?: number; total: number }>();
  const laneOf = (uid: string) => {
    let lane = lanes.get(uid);
    if (!lane) {
      const story = storyOf(uid);
      lane = {
        uid,
        namespace: story?.namespace ?? null,
        name: story?.name ?? null,
        title: story?.title ?? null,
        queue: story?.queue ?? null,
        spans: [],
        markers: [],
        cost: [],
        total: 0,
      };
      lanes.set(uid, lane);
    }
    return lane;
  };
  const close = (lane: TimelineLane, index: number | undefined, at: string) => {
    if (index !== undefined && lane.spans[index]!.end === null) lane.spans[index]!.end = at;
  };
  for (const event of events) {
    const lane = laneOf(event.storyUid);
    const at = event.occurredAt.toISOString();
    if (event.source === 'runner') {
      if (event.type === 'StepStarted') {
        close(lane, lane.openStep, at);
        const attempt = event.data.attempt;
        lane.spans.push({
          kind: 'step',
          name: event.step ?? event.message ?? 'step',
          attempt: typeof attempt === 'number' ? attempt : null,
          start: at,
          end: null,
        });
        lane.openStep = lane.spans.length - 1;
      } else if (event.type === 'StepFinished') {
        close(lane, lane.openStep, at);
        lane.openStep = undefined;
      } else if (event.type === 'AgentCall' && typeof event.data.costUSD === 'number') {
        lane.total = Math.round((lane.total + event.data.costUSD) * 1e6) / 1e6;
        lane.cost.push({ at, totalUSD: lane.total });
      } else if (event.type === 'RunnerFinished') {
        close(lane, lane.openStep, at);
        lane.openStep = undefined;
      }
      if (MARKED_RUNNER_TYPES.has(event.type)) lane.markers.push({ at, type: event.type, message: event.message });
      continue;
    }
    // The operator: one event per lifecycle transition, data.phase where the story went.
    lane.markers.push({ at, type: event.type, message: event.message });
    const phase = event.data.phase;
    const holds =
      phase === 'Paused' || phase === 'Pausing' ? 'pause' : phase === 'WaitingForHuman' ? 'waiting' : undefined;
    const openKind = lane.openPause === undefined ? undefined : lane.spans[lane.openPause]!.kind;
    if (holds === openKind) continue;
    close(lane, lane.openPause, at);
    lane.openPause = undefined;
    if (holds) {
      close(lane, lane.openStep, at); // the pod stopped: its step is cut here
      lane.openStep = undefined;
      lane.spans.push({ kind: holds, name: String(phase), attempt: null, start: at, end: null });
      lane.openPause = lane.spans.length - 1;
    }
  }
  const result = [...lanes.values()].map(({ openStep: _s, openPause: _p, total: _t, ...lane }) => lane);
  return { lanes: result, maxParallel: maxOverlap(result) };
}

/** Most step spans open at one instant. */
export function maxOverlap(lanes: readonly TimelineLane[]): number {
  const edges: [number, number][] = [];
  for (const lane of lanes) {
    for (const span of lane.spans) {
      if (span.kind !== 'step') continue;
      edges.push([Date.parse(span.start), 1]);
      if (span.end !== null) edges.push([Date.parse(span.end), -1]);
    }
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, delta] of edges) {
    open += delta;
    max = Math.max(max, open);
  }
  return max;
}
