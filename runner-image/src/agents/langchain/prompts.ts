// What the langchain agent tells the model at each step.
import type { ImplementInput, ReviewInput, Story } from '../agent.ts';

export function storyText(story: Story): string {
  const criteria = story.acceptanceCriteria.map((c) => `- ${c}`).join('\n');
  return `# ${story.id}: ${story.title}\n\n${story.description}\n${criteria ? `\n## Acceptance criteria\n${criteria}\n` : ''}`;
}

export const PLAN_SYSTEM =
  'You are a senior software engineer planning a change to a git repository. ' +
  'Answer with a short numbered plan (files to read and change, tests to run). Do not write code yet.';

export const IMPLEMENT_SYSTEM =
  'You are a senior software engineer implementing a story in a git repository, working alone and headless. ' +
  'Use the tools to read and change files (paths relative to the repository root) and to run tests. ' +
  'Keep the change small and focused on the story; do not commit, the workflow commits for you. ' +
  'If the story leaves a decision open that you cannot settle from the code, call ask_human with the options and your recommendation. ' +
  'When the change is complete, call finish with a summary and your honest confidence (0..1) that it meets the acceptance criteria.';

export function implementPrompt(story: Story, input: ImplementInput): string {
  const parts = [storyText(story), `## Plan\n${input.plan}`];
  if (input.answers.length > 0) {
    parts.push(
      `## Decisions made by a human\n${input.answers
        .map((a) => `- ${a.question} → ${a.choice}${a.comment ? ` (${a.comment})` : ''}`)
        .join('\n')}`,
    );
  }
  if (input.feedback) parts.push(`## Feedback on the previous round (round ${input.round - 1})\n${input.feedback}`);
  return parts.join('\n\n');
}

export const REVIEW_SYSTEM =
  'You are a careful code reviewer. Review the change against the story and the test results. ' +
  'Answer with JSON only: {"verdict": "approve" | "comment" | "request_changes", "summary": "<two sentences>"}.';

export function reviewPrompt(story: Story, input: ReviewInput): string {
  const verify = input.verify.configured
    ? `\`${input.verify.command.join(' ')}\` ${input.verify.passed ? 'passed' : 'failed'} (attempt ${input.verify.attempt}).\n\n\`\`\`\n${input.verify.output.slice(-4000)}\n\`\`\``
    : 'No verification command is configured.';
  return [
    storyText(story),
    `## What the implementer says\n${input.implementation}`,
    `## Tests\n${verify}`,
    `## Diff\n\`\`\`diff\n${input.change.patch}\n\`\`\``,
  ].join('\n\n');
}
