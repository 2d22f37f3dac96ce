// The draft pull request's description: what a reviewer needs in one place —
// the story and its acceptance criteria, what changed, how it was tested, how
// confident the runner is and why, the human decisions, the cost, and a link
// to the run's replay. Pure.
import type { Answer, ReviewResult, Story, VerifyOutcome } from '../agents/agent.ts';
import type { GateChoice } from '@nightshift/crds/contract';
import type { BranchSummary } from '../worktree/worktree.ts';

/** How the confidence gate ruled, and why: what the description reports (the gate step records it). */
export interface GateRecord {
  round: number;
  confidence: number;
  threshold: number;
  factors: { name: string; score: number; weight: number; detail: string }[];
  /** pass: at or above the threshold; the rest are a human's answers at the gate */
  choice: 'pass' | GateChoice;
  comment: string | null;
}

export interface PullRequestFacts {
  story: Story;
  run: { namespace: string; name: string; attempt: number };
  change: BranchSummary;
  implementation: string;
  verify: VerifyOutcome;
  maxVerifyAttempts: number | undefined;
  review: ReviewResult | null;
  gate: GateRecord;
  decisions: Answer[];
  costUSD: number;
  maxCostUSD: number | undefined;
  dashboardURL: string | undefined;
}

const MAX_DESCRIPTION = 6000;
const FILE_STATUS: Record<string, string> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied' };

export function replayURL(dashboardURL: string, run: { namespace: string; name: string }): string {
  return `${dashboardURL.replace(/\/+$/, '')}/runs/${encodeURIComponent(run.namespace)}/${encodeURIComponent(run.name)}`;
}

export function describePullRequest(f: PullRequestFacts): string {
  const out: string[] = [];
  out.push(
    `> Opened as a draft by Nightshift for StoryRun \`${f.run.namespace}/${f.run.name}\` (attempt ${f.run.attempt}). ` +
      'A human should review it before it is marked ready.',
    '',
    `## Story ${f.story.id}: ${f.story.title}`,
    '',
    f.story.description.length > MAX_DESCRIPTION
      ? `${f.story.description.slice(0, MAX_DESCRIPTION)}\n\n_(description shortened)_`
      : f.story.description || '_No description._',
    '',
  );
  if (f.story.acceptanceCriteria.length > 0) {
    out.push('### Acceptance criteria', '', ...f.story.acceptanceCriteria.map((c) => `- [ ] ${c}`), '');
  }

  out.push('## The change', '', f.implementation || '_The agent gave no summary._', '');
  out.push(
    `${f.change.commits} commit(s), ${f.change.files.length} file(s) changed:`,
    '',
    ...f.change.files.map((file) => `- ${FILE_STATUS[file.status[0] ?? ''] ?? file.status} \`${file.path}\``),
    '',
    '```',
    f.change.stat || '(no diff)',
    '```',
    '',
  );

  out.push('## Tests', '');
  if (!f.verify.configured) {
    out.push('No verification command is configured (`spec.verify`); the change was not tested by the runner.', '');
  } else {
    const seconds = (f.verify.durationMs / 1000).toFixed(1);
    const attempts = f.maxVerifyAttempts ? ` of ${f.maxVerifyAttempts}` : '';
    out.push(
      `\`${f.verify.command.join(' ')}\` **${f.verify.passed ? 'passed' : 'failed'}** on attempt ${f.verify.attempt}${attempts} (${seconds} s).`,
      '',
      '<details><summary>Output (tail)</summary>',
      '',
      '```',
      f.verify.output.slice(-3000).trimEnd() || '(no output)',
      '```',
      '',
      '</details>',
      '',
    );
  }

  if (f.review) out.push('## Review', '', `**${f.review.verdict}** — ${f.review.summary}`, '');

  out.push(
    `## Confidence ${f.gate.confidence.toFixed(2)} (threshold ${f.gate.threshold.toFixed(2)})`,
    '',
    '| Evidence | Score | Weight | Detail |',
    '|---|---|---|---|',
    ...f.gate.factors.map((x) => `| ${x.name} | ${x.score.toFixed(2)} | ${x.weight.toFixed(2)} | ${x.detail} |`),
    '',
  );
  if (f.gate.choice === 'approve') {
    out.push(
      `Below the threshold: **a human approved delivery** at the confidence gate${f.gate.comment ? ` ("${f.gate.comment}")` : ''}.`,
      '',
    );
  }

  if (f.decisions.length > 0) {
    out.push(
      '## Decisions by a human',
      '',
      ...f.decisions.map((d) => `- ${d.question} → **${d.choice}**${d.comment ? ` — ${d.comment}` : ''}`),
      '',
    );
  }

  const cap = f.maxCostUSD !== undefined ? ` of a $${f.maxCostUSD.toFixed(2)} cap` : '';
  out.push('## Cost', '', `$${f.costUSD.toFixed(4)}${cap} in model calls, all attempts included.`, '');
  if (f.dashboardURL) {
    out.push(
      '## Replay',
      '',
      `[Every step, model call and decision of this run](${replayURL(f.dashboardURL, f.run)})`,
      '',
    );
  }
  return out.join('\n');
}
