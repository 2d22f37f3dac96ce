import assert from 'node:assert/strict';
import { KINDS } from '../definitions.ts';
import { branchFor } from './git.ts';
import { storyNotificationPayload, storyNotificationSchema } from './notify.ts';
import { RESOURCES } from './resources.ts';
import { RUNNER_ENV, terminationError } from './runner.ts';
import { isRunnerEventType, runnerEventDataSchemas } from './events.ts';

describe('contract', () => {
  it('names the branch of a story', () => assert.equal(branchFor('DEMO-1'), 'nightshift/DEMO-1'));

  it('derives a resource descriptor for every kind from KINDS', () => {
    assert.deepEqual(RESOURCES.storyRun, {
      group: 'nightshift.dev',
      version: 'v1alpha1',
      plural: 'storyruns',
      kind: 'StoryRun',
    });
    assert.deepEqual(
      Object.values(RESOURCES)
        .map((r) => r.kind)
        .sort(),
      KINDS.map((k) => k.kind).sort(),
    );
  });

  it('round-trips the story notification payload and refuses one that names no story', () => {
    const story = { namespace: 'team-a', name: 'fix-login' };
    assert.deepEqual(storyNotificationSchema.parse(storyNotificationPayload(story)), story);
    for (const bad of ['', 'team-a', 'a/b/c', 'Team A/x']) {
      assert.equal(storyNotificationSchema.safeParse(bad).success, false, bad);
    }
  });

  it('names every runner environment variable once, all distinct', () => {
    const names = Object.values(RUNNER_ENV);
    assert.equal(new Set(names).size, names.length);
    assert.ok(
      !(names as string[]).includes('NIGHTSHIFT_STORYRUN'),
      'the StoryRun no longer travels in the environment',
    );
  });

  it("reads the error of the runner's termination message, and nothing else", () => {
    assert.equal(
      terminationError('{"error":"fatal: repository not found","session":"s"}'),
      'fatal: repository not found',
    );
    assert.equal(terminationError('{"outcome":"Succeeded"}'), undefined);
    assert.equal(terminationError('plain log tail'), undefined);
    assert.equal(terminationError(undefined), undefined);
  });

  it('checks each runner event type against its payload schema', () => {
    assert.ok(isRunnerEventType('AgentCall'));
    assert.ok(!isRunnerEventType('Transmogrified'));
    const call = {
      purpose: 'plan',
      model: 'claude-x',
      inputTokens: 10,
      outputTokens: 5,
      costUSD: 0.001,
      reservedUSD: 0.01,
      durationMs: 800,
    };
    assert.equal(runnerEventDataSchemas.AgentCall.safeParse(call).success, true);
    assert.equal(runnerEventDataSchemas.AgentCall.safeParse({ ...call, costUSD: -1 }).success, false);
    assert.equal(runnerEventDataSchemas.StepStarted.safeParse({ node: 'plan', visit: 0, attempt: 1 }).success, false);
  });
});
