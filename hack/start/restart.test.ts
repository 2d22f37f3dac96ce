import assert from 'node:assert/strict';
import { DEFAULT_RESTART_POLICY, restartDecision, type OperatorExit, type RestartDecision } from './restart.ts';

const policy = { maxExits: 5, windowMs: 120_000, backoffBaseMs: 1_000, backoffMaxMs: 4_000 };
const T = 1_000_000_000;
const killed = (at: number): OperatorExit => ({ at, code: null, signal: 'SIGKILL' });
const crashed = (at: number, code = 1): OperatorExit => ({ at, code, signal: null });
/** n crashes, the given ms apart, ending at T. */
const loop = (n: number, apartMs: number) => Array.from({ length: n }, (_, i) => crashed(T - (n - 1 - i) * apartMs));

describe('restartDecision', () => {
  const cases: { name: string; exits: OperatorExit[]; expected: RestartDecision }[] = [
    { name: 'a first crash is restarted at once', exits: [killed(T)], expected: { action: 'restart', delayMs: 0 } },
    {
      name: 'a crash long after the last one is restarted at once',
      exits: [crashed(T - 300_000), crashed(T - 200_000), killed(T)],
      expected: { action: 'restart', delayMs: 0 },
    },
    {
      name: 'the second crash in the window waits the base',
      exits: loop(2, 10),
      expected: { action: 'restart', delayMs: 1_000 },
    },
    { name: 'the third waits twice that', exits: loop(3, 10), expected: { action: 'restart', delayMs: 2_000 } },
    {
      name: 'the backoff stops growing at its maximum',
      exits: loop(4, 10),
      expected: { action: 'restart', delayMs: 4_000 },
    },
    {
      name: 'the fifth crash within two minutes gives up',
      exits: loop(5, 29_000),
      expected: { action: 'give-up', reason: 'the operator exited 5 times within 120 s (the last: exit code 1)' },
    },
    {
      name: 'five crashes spread over more than two minutes do not',
      exits: loop(5, 31_000),
      expected: { action: 'restart', delayMs: 4_000 },
    },
    {
      name: 'a refused configuration gives up on the first exit',
      exits: [crashed(T, 78)],
      expected: {
        action: 'give-up',
        reason: 'the operator refused its configuration (exit code 78); starting it again would not help',
      },
    },
  ];
  for (const { name, exits, expected } of cases) {
    it(name, () => assert.deepEqual(restartDecision(exits, policy), expected));
  }

  it('by default gives up on the fifth death within two minutes, and names the signal', () => {
    const exits = [...loop(4, 1_000).map((e) => ({ ...e, at: e.at - 1_000 })), killed(T)];
    assert.deepEqual(restartDecision(exits, DEFAULT_RESTART_POLICY), {
      action: 'give-up',
      reason: 'the operator exited 5 times within 120 s (the last: killed by SIGKILL)',
    });
    assert.equal(restartDecision(exits.slice(0, 4), DEFAULT_RESTART_POLICY).action, 'restart');
  });
});
