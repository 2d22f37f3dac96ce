// The examples a user copies must parse with the same schemas the operator uses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { budgetSchema, storyRunSchema, workQueueSchema } from './index.ts';

const example = (file: string) => parse(readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8'));

describe('examples', () => {
  it('storyrun.yaml is a valid StoryRun with defaults applied', () => {
    const storyRun = storyRunSchema.parse(example('storyrun.yaml'));
    assert.equal(storyRun.spec.pauseMode, 'Graceful');
    assert.deepEqual(storyRun.spec.abort, { requested: false, keepWork: false });
    assert.equal(storyRun.spec.agent.backend, 'scripted');
  });
  it('workqueue.yaml and budget.yaml are valid', () => {
    assert.equal(workQueueSchema.parse(example('workqueue.yaml')).spec.schedule?.windows[0]?.start, '22:00');
    assert.equal(budgetSchema.parse(example('budget.yaml')).spec.weekStartsOn, 'Monday');
  });
});
