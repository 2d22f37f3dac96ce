import assert from 'node:assert/strict';
import { budgetSchema, storyRunSchema, type Budget, type StoryRun } from '@nightshift/crds';
import { CONFIRM_INCREASE_ANNOTATION } from '@nightshift/crds/contract';
import { ApiError } from '../api/problem.ts';
import {
  abortStory,
  answerDecisions,
  confirmBudget,
  editBudget,
  extendBudget,
  pauseStory,
  reprioritizeStory,
  resumeStory,
  UNCHANGED,
  type EditResult,
} from './edits.ts';

let uids = 0;
const story = (spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): StoryRun =>
  storyRunSchema.parse({
    apiVersion: 'nightshift.dev/v1alpha1',
    kind: 'StoryRun',
    metadata: { name: `s${++uids}`, namespace: 'ns', uid: `00000000-0000-4000-8000-${String(uids).padStart(12, '0')}` },
    spec: { story: { id: 'S-1', title: 't' }, repository: { url: 'u' }, ...spec },
    status,
  });
const budget = (spec: Record<string, unknown>, annotations: Record<string, string> = {}): Budget =>
  budgetSchema.parse({
    apiVersion: 'nightshift.dev/v1alpha1',
    kind: 'Budget',
    metadata: { name: 'b', annotations },
    spec,
  });
const spec = (r: EditResult) => (r === UNCHANGED ? 'unchanged' : r.patch.spec);
const status = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return error instanceof ApiError ? error.status : error;
  }
};

describe('controls: what each edit patches', () => {
  const cases: [string, () => EditResult, unknown][] = [
    [
      'pause: graceful by default',
      () => pauseStory(story(), { mode: 'Graceful' }),
      { paused: true, pauseMode: 'Graceful' },
    ],
    ['pause: immediate', () => pauseStory(story(), { mode: 'Immediate' }), { paused: true, pauseMode: 'Immediate' }],
    ['pause: already paused so', () => pauseStory(story({ paused: true }), { mode: 'Graceful' }), 'unchanged'],
    [
      'pause: a graceful pause made immediate',
      () => pauseStory(story({ paused: true }), { mode: 'Immediate' }),
      { paused: true, pauseMode: 'Immediate' },
    ],
    ['resume', () => resumeStory(story({ paused: true })), { paused: false }],
    ['resume: not paused', () => resumeStory(story()), 'unchanged'],
    [
      'abort keeping work',
      () => abortStory(story(), { keepWork: true }),
      { abort: { requested: true, keepWork: true } },
    ],
    ['priority', () => reprioritizeStory(story(), { priority: 5 }, []), { priority: 5 }],
    ['clear the position', () => reprioritizeStory(story({ position: 4 }), { position: null }, []), { position: null }],
    ['skip', () => reprioritizeStory(story(), { skip: true }, []), { skip: true }],
  ];
  for (const [what, edit, expected] of cases) it(what, () => assert.deepEqual(spec(edit()), expected));

  it('refuses to control a finished story, or pause one being aborted (409)', () => {
    for (const phase of ['Succeeded', 'Failed', 'Aborted']) {
      assert.equal(
        status(() => pauseStory(story({}, { phase }), { mode: 'Graceful' })),
        409,
        phase,
      );
      assert.equal(
        status(() => abortStory(story({}, { phase }), { keepWork: false })),
        409,
        phase,
      );
    }
    assert.equal(
      status(() => pauseStory(story({ abort: { requested: true } }), { mode: 'Graceful' })),
      409,
    );
  });

  describe('move to front', () => {
    const mates = [
      story({ priority: 0, position: 3 }),
      story({ priority: 0, position: 7 }),
      story({ priority: 5, position: -10 }),
      story({ position: -50 }, { phase: 'Succeeded' }),
    ];
    const front = (s: StoryRun, body = {}) => spec(reprioritizeStory(s, { moveToFront: true, ...body }, [...mates, s]));
    it('goes below the lowest position of its priority, ignoring finished stories', () =>
      assert.deepEqual(front(story()), { position: 2 }));
    it('at a new priority, below the lowest there', () =>
      assert.deepEqual(front(story(), { priority: 5 }), { priority: 5, position: -11 }));
    it('first already: nothing to do', () => assert.equal(front(story({ position: 1 })), 'unchanged'));
    it('nobody positioned: position 0 goes before the unpositioned', () =>
      assert.deepEqual(spec(reprioritizeStory(story(), { moveToFront: true }, [story(), story()])), { position: 0 }));
  });

  describe('decisions', () => {
    const asking = () => story({}, { phase: 'WaitingForHuman', pendingDecision: { id: 'd1', question: 'q' } });
    it('adds the answer to spec.decisions', () =>
      assert.deepEqual(spec(answerDecisions(asking(), [{ id: 'd1', choice: 'yes' }], new Set())), {
        decisions: [{ id: 'd1', choice: 'yes' }],
      }));
    it('the same answer again changes nothing', () =>
      assert.equal(
        answerDecisions(
          story({ decisions: [{ id: 'd1', choice: 'yes' }] }),
          [{ id: 'd1', choice: 'yes' }],
          new Set(['d1']),
        ),
        UNCHANGED,
      ));
    it('another answer to an answered decision is a conflict', () =>
      assert.equal(
        status(() =>
          answerDecisions(
            story({ decisions: [{ id: 'd1', choice: 'yes' }] }),
            [{ id: 'd1', choice: 'no' }],
            new Set(['d1']),
          ),
        ),
        409,
      ));
    it('a decision the story never asked is not found', () =>
      assert.equal(
        status(() => answerDecisions(asking(), [{ id: 'd2', choice: 'yes' }], new Set(['d1']))),
        404,
      ));
    it('keeps the answers given before', () =>
      assert.deepEqual(
        spec(
          answerDecisions(
            story({ decisions: [{ id: 'd0', choice: 'a' }] }),
            [{ id: 'd1', choice: 'b', comment: 'c' }],
            new Set(['d1']),
          ),
        ),
        {
          decisions: [
            { id: 'd0', choice: 'a' },
            { id: 'd1', choice: 'b', comment: 'c' },
          ],
        },
      ));
  });

  describe('budgets', () => {
    const annotation = (r: EditResult) =>
      r === UNCHANGED ? undefined : r.patch.metadata?.annotations[CONFIRM_INCREASE_ANNOTATION];
    it('lowering a limit needs no confirmation and sets none', () => {
      const r = editBudget(budget({ dailyLimitUSD: 25 }), { dailyLimitUSD: 10, confirm: false });
      assert.deepEqual(spec(r), { dailyLimitUSD: 10 });
      assert.equal(annotation(r), undefined);
    });
    it('raising one without confirm is refused naming body.confirm', () => {
      assert.throws(
        () => editBudget(budget({ dailyLimitUSD: 25 }), { dailyLimitUSD: 30, confirm: false }),
        (e: unknown) => e instanceof ApiError && e.errors?.[0]?.field === 'body.confirm',
      );
    });
    it('removing a limit is an increase too', () => {
      assert.throws(
        () => editBudget(budget({ weeklyLimitUSD: 25 }), { weeklyLimitUSD: null, confirm: false }),
        ApiError,
      );
      assert.equal(
        annotation(editBudget(budget({ weeklyLimitUSD: 25 }), { weeklyLimitUSD: null, confirm: true })),
        'dailyLimitUSD=none,weeklyLimitUSD=none,extensions=0@1',
      );
    });
    it('a confirmed raise carries the annotation of the new spec', () =>
      assert.equal(
        annotation(
          editBudget(budget({ dailyLimitUSD: 25, weeklyLimitUSD: 100 }), { dailyLimitUSD: 50, confirm: true }),
        ),
        'dailyLimitUSD=50,weeklyLimitUSD=100,extensions=0@1',
      ));
    it('an extension is appended with when it was granted, and confirmed', () => {
      const r = extendBudget(
        budget({ dailyLimitUSD: 5 }),
        { amountUSD: 2, period: 'Today', reason: 'r' },
        new Date('2026-11-25T10:00:00Z'),
      );
      assert.deepEqual(spec(r), {
        extensions: [{ amountUSD: 2, period: 'Today', reason: 'r', grantedAt: '2026-11-25T10:00:00.000Z' }],
      });
      assert.equal(annotation(r), 'dailyLimitUSD=5,weeklyLimitUSD=none,extensions=1@1');
    });
    it('confirming what is confirmed already changes nothing', () => {
      assert.equal(
        confirmBudget(
          budget(
            { dailyLimitUSD: 5 },
            { [CONFIRM_INCREASE_ANNOTATION]: 'dailyLimitUSD=5,weeklyLimitUSD=none,extensions=0@0' },
          ),
        ),
        UNCHANGED,
      );
      assert.equal(
        annotation(confirmBudget(budget({ dailyLimitUSD: 6 }))),
        'dailyLimitUSD=6,weeklyLimitUSD=none,extensions=0@0',
      );
    });
  });
});
