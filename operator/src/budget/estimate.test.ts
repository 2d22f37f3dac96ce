import assert from 'node:assert/strict';
import { estimateCost, percentile, type FinishedStory } from './estimate.ts';

const policy = { coldStartP50USD: 1, coldStartP90USD: 5, minSamples: 3, neighbours: 5 };
const story = { repository: 'r1', model: 'm1', criteria: 2, descriptionLength: 500 };
const finished = (over: Partial<FinishedStory>): FinishedStory => ({ ...story, actualUSD: 1, ...over });

describe('estimateCost', () => {
  it('starts cold without enough history', () => {
    const e = estimateCost(story, [finished({}), finished({})], policy);
    assert.deepEqual([e.p50USD, e.p90USD, e.samples], [1, 5, 0]);
    assert.match(e.basis, /cold start/);
  });

  it('prefers the same repository and model, nearest in size', () => {
    const history = [
      finished({ actualUSD: 0.2, descriptionLength: 450 }),
      finished({ actualUSD: 0.3, descriptionLength: 520 }),
      finished({ actualUSD: 0.4, descriptionLength: 600 }),
      finished({ actualUSD: 9, descriptionLength: 60_000, criteria: 20 }), // far larger: not among the nearest 3
      finished({ actualUSD: 50, repository: 'r2' }),
      finished({ actualUSD: 50, model: 'm2' }),
    ];
    const e = estimateCost(story, history, { ...policy, neighbours: 3 });
    assert.deepEqual([e.p50USD, e.p90USD, e.samples], [0.3, 0.4, 3]);
    assert.match(e.basis, /3 finished stories of r1 with m1 nearest in size/);
  });

  it('widens to the same model, then to any story', () => {
    const sameModel = [1, 2, 3].map((usd) => finished({ repository: 'other', actualUSD: usd }));
    assert.match(estimateCost(story, sameModel, policy).basis, /with m1/);
    const any = [1, 2, 3].map((usd) => finished({ repository: 'x', model: 'y', actualUSD: usd }));
    const e = estimateCost(story, any, policy);
    assert.match(e.basis, /of any repository and model/);
    assert.deepEqual([e.p50USD, e.p90USD], [2, 3]);
  });

  it('nearest-rank percentiles', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.deepEqual([percentile(ten, 0.5), percentile(ten, 0.9), percentile([7], 0.9)], [5, 9, 7]);
  });
});
