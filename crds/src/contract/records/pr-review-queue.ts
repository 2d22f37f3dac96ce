// pr_review_queue: the draft pull requests waiting for a human review, one per story.
import { z } from 'zod';
import { defineTable, numericColumn, timestampColumn, uuidColumn } from './table.ts';

export const REVIEW_STATES = ['Pending', 'Approved', 'ChangesRequested', 'Merged', 'Closed'] as const;

export const pullRequestReviewRowSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  story_uid: uuidColumn,
  namespace: z.string(),
  name: z.string(),
  repository: z.string(),
  number: z.int().min(1),
  url: z.string(),
  head_branch: z.string(),
  base_branch: z.string(),
  draft: z.boolean(),
  confidence: numericColumn.nullable(),
  cost_usd: numericColumn.nullable(),
  created_at: timestampColumn,
  review_state: z.enum(REVIEW_STATES),
});
export type PullRequestReviewRow = z.infer<typeof pullRequestReviewRowSchema>;

export const PULL_REQUEST_REVIEW_COLUMNS = Object.keys(pullRequestReviewRowSchema.shape).join(', ');

export const pullRequestReviews = defineTable('pr_review_queue', pullRequestReviewRowSchema, (row) => row.id);
