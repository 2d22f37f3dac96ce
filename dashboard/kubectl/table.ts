// `kubectl nightshift get`: the stories as a table a person reads at a
// glance — phase, step, cost against its cap, the question waiting, the PR.
import type { StoryRun } from '@nightshift/crds';

const cost = (sr: StoryRun) => {
  const spent = sr.status?.costUSD;
  const cap = sr.spec.maxCostUSD;
  if (spent === undefined && cap === undefined) return '-';
  return `$${(spent ?? 0).toFixed(2)}${cap === undefined ? '' : ` / $${cap.toFixed(2)}`}`;
};

const waiting = (sr: StoryRun) => {
  const d = sr.status?.pendingDecision;
  if (!d) return '';
  const question = d.question.length > 60 ? `${d.question.slice(0, 59).trimEnd()}…` : d.question;
  return `${d.id}: ${question}`;
};

const state = (sr: StoryRun) => {
  if (sr.spec.abort.requested && sr.status?.phase !== 'Aborted') return `${sr.status?.phase ?? 'Queued'} (aborting)`;
  if (sr.spec.paused && sr.status?.phase !== 'Paused') return `${sr.status?.phase ?? 'Queued'} (pausing)`;
  return sr.status?.phase ?? 'Queued';
};

/** Rows padded into columns, as kubectl prints them. */
export function storyTable(stories: readonly StoryRun[], options: { allNamespaces: boolean }): string {
  const header = [
    ...(options.allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    'PHASE',
    'STEP',
    'COST',
    'QUEUE',
    'DECISION',
    'PR',
  ];
  const rows = stories.map((sr) => [
    ...(options.allNamespaces ? [sr.metadata.namespace ?? ''] : []),
    sr.metadata.name,
    state(sr),
    sr.status?.step ?? '',
    cost(sr),
    sr.spec.queueRef ?? '',
    waiting(sr),
    sr.status?.pullRequest?.url ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((cells) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}
