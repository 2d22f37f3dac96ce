// pr_review_queue: the draft pull requests waiting for a human review. One row
// per story; a repeated delivery changes nothing.
import type pg from 'pg';

export interface ReviewQueueEntry {
  storyUid: string;
  namespace: string;
  name: string;
  repository: string;
  number: number;
  url: string;
  headBranch: string;
  baseBranch: string;
  confidence: number;
  costUSD: number;
}

export async function enqueueForReview(pool: pg.Pool, entry: ReviewQueueEntry): Promise<void> {
  await pool.query(
    `insert into pr_review_queue (story_uid, namespace, name, repository, number, url, head_branch, base_branch, draft, confidence, cost_usd)
     values ($1, $2, $3, $4, $5, $6, $7, $8, true, $9, $10)
     on conflict (story_uid) do nothing`,
    [
      entry.storyUid,
      entry.namespace,
      entry.name,
      entry.repository,
      entry.number,
      entry.url,
      entry.headBranch,
      entry.baseBranch,
      Math.round(entry.confidence * 1000) / 1000,
      entry.costUSD,
    ],
  );
}
