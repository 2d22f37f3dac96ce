// cost_estimates: one estimate per story, made once before admission (so it
// does not drift while the story waits), and its actual cost once it ended.
import type pg from 'pg';
import { costEstimateRows, type CostEstimateRow } from '@nightshift/crds/contract';
import type { Estimate, FinishedStory, StoryFeatures } from '../budget/estimate.ts';

const HISTORY = 500;

export async function readEstimate(pool: pg.Pool, storyUid: string): Promise<CostEstimateRow | undefined> {
  const { rows } = await pool.query('select * from cost_estimates where story_uid = $1', [storyUid]);
  return rows[0] ? costEstimateRows.parse(rows[0]) : undefined;
}

/** The latest finished stories of the namespace with their actual cost: what the estimator learns from. */
export async function finishedStories(pool: pg.Pool, namespace: string): Promise<FinishedStory[]> {
  const { rows } = await pool.query(
    `select * from cost_estimates where namespace = $1 and actual_usd is not null order by finished_at desc limit $2`,
    [namespace, HISTORY],
  );
  return costEstimateRows.parseAll(rows).map((r) => ({
    repository: r.repository,
    model: r.model,
    criteria: r.criteria,
    descriptionLength: r.description_length,
    actualUSD: r.actual_usd!,
  }));
}

export interface NewEstimate {
  storyUid: string;
  namespace: string;
  name: string;
  features: StoryFeatures;
  budgetKeys: string[];
  estimate: Estimate;
}

/** Inserts the estimate unless the story has one; returns the one in force. */
export async function ensureEstimate(pool: pg.Pool, e: NewEstimate): Promise<CostEstimateRow> {
  const { rows } = await pool.query(
    `insert into cost_estimates (story_uid, namespace, name, repository, model, criteria, description_length,
                                 budget_keys, p50_usd, p90_usd, samples, basis)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     on conflict (story_uid) do update set story_uid = excluded.story_uid
     returning *`,
    [
      e.storyUid,
      e.namespace,
      e.name,
      e.features.repository,
      e.features.model,
      e.features.criteria,
      e.features.descriptionLength,
      e.budgetKeys,
      e.estimate.p50USD,
      e.estimate.p90USD,
      e.estimate.samples,
      e.estimate.basis,
    ],
  );
  return costEstimateRows.parse(rows[0]);
}

/** Records what the story really cost, once. */
export async function recordActualCost(pool: pg.Pool, storyUid: string, actualUSD: number): Promise<void> {
  await pool.query(
    'update cost_estimates set actual_usd = $2, finished_at = now() where story_uid = $1 and actual_usd is null',
    [storyUid, actualUSD],
  );
}
