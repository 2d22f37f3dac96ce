// The replay of one story: its recorded events (never re-executed) folded
// into steps — every agent call with tokens, cost and duration, every tool
// call, decision (automatic at a gate, or a person's answer), commit with
// each file's diff, verify output and review — with time and cost per step.
import type { DecisionRecord, ExecutionEvent, ExecutionSession } from '@nightshift/crds/contract';
import type { Replay, ReplayItem, ReplayStep } from '../api/schemas.ts';
import { attemptView } from './attempts.ts';
import { splitPatch } from './split-patch.ts';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function replayItem(
  event: ExecutionEvent,
  decisions: ReadonlyMap<string, DecisionRecord>,
): ReplayItem | undefined {
  const at = event.occurredAt.toISOString();
  const d = event.data;
  if (event.source === 'runner') {
    switch (event.type) {
      case 'StepStarted':
      case 'StepFinished':
      case 'FileChanged':
      case 'Heartbeat':
        return undefined; // the step itself, or inside the commit
      case 'AgentCall':
        return {
          type: 'agentCall',
          at,
          purpose: str(d.purpose) ?? '',
          model: str(d.model),
          inputTokens: int(d.inputTokens),
          outputTokens: int(d.outputTokens),
          costUSD: num(d.costUSD),
          reservedUSD: num(d.reservedUSD),
          durationMs: int(d.durationMs),
        };
      case 'ToolCall':
        return {
          type: 'toolCall',
          at,
          tool: str(d.tool) ?? '',
          ok: d.ok === true,
          durationMs: int(d.durationMs) ?? 0,
          changed: str(d.changed),
        };
      case 'GateResult':
        return {
          type: 'decision',
          at,
          by: 'auto',
          decisionId: null,
          kind: 'ConfidenceGate',
          question: null,
          choice: d.passed === true ? 'proceed' : 'ask a human',
          detail: `confidence ${num(d.confidence)} against threshold ${num(d.threshold)}`,
        };
      case 'DecisionAnswered': {
        const id = str(d.decisionId);
        return {
          type: 'decision',
          at,
          by: 'human',
          decisionId: id,
          kind: str(d.kind) ?? 'Decision',
          question: (id && decisions.get(id)?.question) ?? null,
          choice: str(d.choice),
          detail: str(d.comment),
        };
      }
      case 'Committed': {
        const diffs = splitPatch(str(d.patch) ?? undefined);
        const files = Array.isArray(d.files) ? (d.files as { status: string; path: string }[]) : [];
        return {
          type: 'commit',
          at,
          sha: str(d.sha) ?? '',
          files: files.map((f) => ({ status: f.status, path: f.path, diff: diffs.get(f.path) ?? null })),
        };
      }
      case 'VerifyResult':
        return {
          type: 'verify',
          at,
          passed: d.passed === true,
          command: Array.isArray(d.command) ? d.command.map(String) : [],
          exitCode: int(d.exitCode),
          durationMs: int(d.durationMs) ?? 0,
          output: str(d.output) ?? '',
        };
      case 'ReviewResult':
        return { type: 'review', at, verdict: str(d.verdict) ?? '', summary: str(d.summary) ?? '' };
    }
  }
  return { type: 'event', at, source: event.source, name: event.type, message: event.message };
}

export function buildReplay(input: {
  story: Replay['story'];
  events: readonly ExecutionEvent[];
  sessions: readonly ExecutionSession[];
  decisions: readonly DecisionRecord[];
}): Replay {
  const decisions = new Map(input.decisions.map((d) => [d.id, d]));
  const before: ReplayItem[] = [];
  const steps: ReplayStep[] = [];
  let open: ReplayStep | undefined;
  for (const event of input.events) {
    if (event.source === 'runner' && event.type === 'StepStarted') {
      open = {
        node: str(event.data.node) ?? event.message ?? '',
        step: event.step ?? '',
        attempt: int(event.data.attempt) ?? 0,
        visit: int(event.data.visit) ?? 1,
        startedAt: event.occurredAt.toISOString(),
        finishedAt: null,
        durationMs: null,
        costUSD: 0,
        items: [],
      };
      steps.push(open);
      continue;
    }
    if (event.source === 'runner' && event.type === 'StepFinished') {
      const node = str(event.data.node);
      const step = [...steps].reverse().find((s) => s.node === node && s.finishedAt === null);
      if (step) {
        step.finishedAt = event.occurredAt.toISOString();
        step.durationMs = int(event.data.durationMs) ?? Date.parse(step.finishedAt) - Date.parse(step.startedAt);
      }
      continue;
    }
    const item = replayItem(event, decisions);
    if (!item) continue;
    const target = open ?? steps.at(-1);
    if (!target) {
      before.push(item);
      continue;
    }
    target.items.push(item);
    if (item.type === 'agentCall') target.costUSD += item.costUSD ?? 0;
  }
  const items = [...before, ...steps.flatMap((s) => s.items)];
  const calls = items.filter((i) => i.type === 'agentCall');
  const first = input.events[0]?.occurredAt.getTime();
  const last = input.events.at(-1)?.occurredAt.getTime();
  return {
    story: input.story,
    attempts: input.sessions.map(attemptView),
    before,
    steps,
    totals: {
      costUSD: round(calls.reduce((sum, c) => sum + (c.costUSD ?? 0), 0)),
      agentCalls: calls.length,
      toolCalls: items.filter((i) => i.type === 'toolCall').length,
      inputTokens: calls.reduce((sum, c) => sum + (c.inputTokens ?? 0), 0),
      outputTokens: calls.reduce((sum, c) => sum + (c.outputTokens ?? 0), 0),
      durationMs: first !== undefined && last !== undefined ? last - first : null,
      humanDecisions: items.filter((i) => i.type === 'decision' && i.by === 'human').length,
      autoDecisions: items.filter((i) => i.type === 'decision' && i.by === 'auto').length,
    },
  };
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;
