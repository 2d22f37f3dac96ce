// What a story will cost, before it runs: the costs of finished stories like
// it — the same repository and model when there are enough of them, else the
// same model, else any — the nearest in size (description length, acceptance
// criteria), as a p50 and a p90 with the basis said in words. Without enough
// history, a configured cold-start default. Pure and explainable.
import type { StoryRun } from '@nightshift/crds';

export interface StoryFeatures {
  repository: string;
  model: string;
  criteria: number;
  descriptionLength: number;
}

export interface FinishedStory extends StoryFeatures {
  actualUSD: number;
}

export interface Estimate {
  p50USD: number;
  p90USD: number;
  samples: number;
  basis: string;
}

export interface EstimatorPolicy {
  coldStartP50USD: number;
  coldStartP90USD: number;
  /** Fewer similar stories than this: widen the pool, then fall back to the cold start. */
  minSamples: number;
  /** How many of the nearest in size to take. */
  neighbours: number;
}

export function featuresOf(storyRun: StoryRun): StoryFeatures {
  const { story, repository, agent } = storyRun.spec;
  return {
    repository: repository.url,
    model: agent.model ?? agent.backend,
    criteria: story.acceptanceCriteria.length,
    descriptionLength: story.description.length,
  };
}

/** How far apart two stories are in size: orders of magnitude of description, plus criteria. */
export function sizeDistance(a: StoryFeatures, b: StoryFeatures): number {
  return (
    Math.abs(Math.log1p(a.descriptionLength) - Math.log1p(b.descriptionLength)) +
    0.5 * Math.abs(a.criteria - b.criteria)
  );
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

export function estimateCost(story: StoryFeatures, history: FinishedStory[], policy: EstimatorPolicy): Estimate {
  const pools: [string, FinishedStory[]][] = [
    [
      `of ${story.repository} with ${story.model}`,
      history.filter((h) => h.repository === story.repository && h.model === story.model),
    ],
    [`with ${story.model}`, history.filter((h) => h.model === story.model)],
    ['of any repository and model', history],
  ];
  const found = pools.find(([, pool]) => pool.length >= policy.minSamples);
  if (!found) {
    return {
      p50USD: policy.coldStartP50USD,
      p90USD: policy.coldStartP90USD,
      samples: 0,
      basis: `cold start: fewer than ${policy.minSamples} finished stories to learn from`,
    };
  }
  const [where, pool] = found;
  const nearest = [...pool]
    .sort((a, b) => sizeDistance(story, a) - sizeDistance(story, b))
    .slice(0, policy.neighbours)
    .map((h) => h.actualUSD)
    .sort((a, b) => a - b);
  return {
    p50USD: round(percentile(nearest, 0.5)),
    p90USD: round(percentile(nearest, 0.9)),
    samples: nearest.length,
    basis: `the ${nearest.length} finished stories ${where} nearest in size (${story.criteria} criteria, ${story.descriptionLength} characters)`,
  };
}
