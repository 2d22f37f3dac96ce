import assert from 'node:assert/strict';
import type { BudgetVerdict } from '../admission/budget-check.ts';
import { admitNext, type AdmissionSnapshot, type WaitingStory } from './admit.ts';

const open = { open: true, reason: 'InWindow', message: 'in a window' } as const;
let clock = 0;
const story = (name: string, over: Partial<WaitingStory> = {}): WaitingStory => ({
  name,
  uid: `uid-${name}`,
  priority: 0,
  skip: false,
  createdAt: new Date(Date.UTC(2026, 10, 25, 12, 0, clock++)),
  repository: 'https://forge/a.git',
  ...over,
});
const holding = (n: number, repository = 'https://forge/a.git') =>
  Array.from({ length: n }, (_, i) => ({ uid: `running-${i}`, repository }));
const snapshot = (over: Partial<AdmissionSnapshot>): AdmissionSnapshot => ({
  queue: { maxParallel: 3, paused: false },
  schedule: open,
  holding: [],
  waiting: [],
  ...over,
});
const names = (stories: WaitingStory[]) => stories.map((s) => s.name);

describe('admitNext', () => {
  const cases: {
    name: string;
    snapshot: AdmissionSnapshot;
    admit: string[];
    state: string;
    next?: string;
  }[] = [
    {
      name: 'admits up to maxParallel in creation order',
      snapshot: snapshot({ waiting: [story('a'), story('b'), story('c'), story('d')] }),
      admit: ['a', 'b', 'c'],
      state: 'Admitting',
      next: 'd',
    },
    {
      name: 'higher priority first, whatever the age',
      snapshot: snapshot({
        queue: { maxParallel: 2, paused: false },
        waiting: [story('old'), story('urgent', { priority: 10 }), story('low', { priority: -5 }), story('newer')],
      }),
      admit: ['urgent', 'old'],
      state: 'Admitting',
      next: 'newer',
    },
    {
      name: 'position orders within a priority; unset positions after set ones (move to front: a lower position)',
      snapshot: snapshot({
        queue: { maxParallel: 3, paused: false },
        waiting: [story('a'), story('b', { position: 5 }), story('c', { position: -1 }), story('d')],
      }),
      admit: ['c', 'b', 'a'],
      state: 'Admitting',
      next: 'd',
    },
    {
      name: 'position never beats priority',
      snapshot: snapshot({
        queue: { maxParallel: 1, paused: false },
        waiting: [story('front', { position: -100 }), story('important', { priority: 1 })],
      }),
      admit: ['important'],
      state: 'Admitting',
      next: 'front',
    },
    {
      name: 'a skipped story is passed over, not admitted',
      snapshot: snapshot({ waiting: [story('a', { skip: true }), story('b')] }),
      admit: ['b'],
      state: 'Admitting',
    },
    {
      name: 'only the free slots: 2 holding of 3',
      snapshot: snapshot({ holding: holding(2), waiting: [story('a'), story('b')] }),
      admit: ['a'],
      state: 'Admitting',
      next: 'b',
    },
    {
      name: 'lowered maxParallel below the running count: nothing is admitted, nothing stopped',
      snapshot: snapshot({ queue: { maxParallel: 1, paused: false }, holding: holding(3), waiting: [story('a')] }),
      admit: [],
      state: 'MaxParallelReached',
      next: 'a',
    },
    {
      name: 'maxParallel 0 admits nothing',
      snapshot: snapshot({ queue: { maxParallel: 0, paused: false }, waiting: [story('a')] }),
      admit: [],
      state: 'MaxParallelReached',
    },
    {
      name: 'a paused queue admits nothing',
      snapshot: snapshot({ queue: { maxParallel: 3, paused: true }, waiting: [story('a')] }),
      admit: [],
      state: 'QueuePaused',
      next: 'a',
    },
    {
      name: 'a closed schedule admits nothing',
      snapshot: snapshot({
        schedule: { open: false, reason: 'OutsideWindows', message: 'outside' },
        waiting: [story('a')],
      }),
      admit: [],
      state: 'ScheduleClosed',
    },
    {
      name: 'a do-not-disturb period says so',
      snapshot: snapshot({
        schedule: { open: false, reason: 'DoNotDisturb', message: 'holidays' },
        waiting: [story('a')],
      }),
      admit: [],
      state: 'DoNotDisturb',
    },
    { name: 'nothing waiting: Idle', snapshot: snapshot({ holding: holding(1) }), admit: [], state: 'Idle' },
    {
      name: 'every waiting story skipped: Idle',
      snapshot: snapshot({ waiting: [story('a', { skip: true })] }),
      admit: [],
      state: 'Idle',
    },
    {
      name: 'maxParallelPerRepository: a busy repository waits, another goes ahead',
      snapshot: snapshot({
        queue: { maxParallel: 3, paused: false, maxParallelPerRepository: 2 },
        holding: holding(1, 'https://forge/a.git'),
        waiting: [story('a1'), story('a2'), story('b1', { repository: 'https://forge/b.git' })],
      }),
      admit: ['a1', 'b1'],
      state: 'Admitting',
    },
    {
      name: 'maxParallelPerRepository reached for the only repository: MaxParallelReached',
      snapshot: snapshot({
        queue: { maxParallel: 3, paused: false, maxParallelPerRepository: 1 },
        holding: holding(1),
        waiting: [story('a1')],
      }),
      admit: [],
      state: 'MaxParallelReached',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const decision = admitNext(c.snapshot);
      assert.deepEqual(names(decision.admit), c.admit, decision.message);
      assert.equal(decision.state, c.state);
      if ('next' in c) assert.equal(decision.next, c.next);
    });
  }

  it('a story the budget refuses is passed over; all refused: BudgetExceeded', () => {
    const refuse: BudgetVerdict = { open: false, reason: 'EstimateExceedsBudget', message: 'estimate $4 > $1 left' };
    const waiting = [story('big'), story('small')];
    const some = admitNext(snapshot({ waiting, budgets: new Map([['uid-big', refuse]]) }));
    assert.deepEqual(names(some.admit), ['small']);
    const none = admitNext(
      snapshot({
        waiting,
        budgets: new Map([
          ['uid-big', refuse],
          ['uid-small', { open: false, reason: 'BudgetExceeded', message: 'daily limit reached' }],
        ]),
      }),
    );
    assert.deepEqual(none.admit, []);
    assert.equal(none.state, 'BudgetExceeded');
    assert.match(none.message, /daily limit reached/);
  });

  it('positions count the stories still waiting, in order, from 1; skipped ones have none', () => {
    const waiting = [story('a'), story('b', { skip: true }), story('c', { priority: 1 }), story('d')];
    const decision = admitNext(snapshot({ queue: { maxParallel: 1, paused: false }, waiting }));
    assert.deepEqual(names(decision.admit), ['c']);
    assert.deepEqual(
      [...decision.positions],
      [
        ['uid-a', 1],
        ['uid-d', 2],
      ],
    );
  });

  it('positions are given while nothing is admitted too', () => {
    const decision = admitNext(
      snapshot({ queue: { maxParallel: 3, paused: true }, waiting: [story('x'), story('y', { priority: 2 })] }),
    );
    assert.deepEqual(
      [...decision.positions],
      [
        ['uid-y', 1],
        ['uid-x', 2],
      ],
    );
  });
});
