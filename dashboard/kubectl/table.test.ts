import assert from 'node:assert/strict';
import { storyRunSchema } from '@nightshift/crds';
import { storyTable } from './table.ts';

const story = (name: string, spec: Record<string, unknown> = {}, status?: Record<string, unknown>) =>
  storyRunSchema.parse({
    apiVersion: 'nightshift.dev/v1alpha1',
    kind: 'StoryRun',
    metadata: { name, namespace: 'team-a' },
    spec: {
      story: { id: name.toUpperCase(), title: name },
      repository: { url: 'https://forge/x.git' },
      ...spec,
    },
    ...(status ? { status } : {}),
  });

describe('kubectl nightshift get: the table', () => {
  const cases: { name: string; story: ReturnType<typeof story>; row: RegExp }[] = [
    { name: 'a new story is Queued, costs nothing yet', story: story('fresh'), row: /^fresh\s+Queued\s+-$/ },
    {
      name: 'cost against its cap, and the step',
      story: story('busy', { maxCostUSD: 5 }, { phase: 'Running', step: 'implement', costUSD: 1.234 }),
      row: /^busy\s+Running\s+implement\s+\$1\.23 \/ \$5\.00$/,
    },
    {
      name: 'a pause asked for but not yet taken effect',
      story: story('stopping', { paused: true }, { phase: 'Running' }),
      row: /^stopping\s+Running \(pausing\)/,
    },
    {
      name: 'an abort asked for',
      story: story('ending', { abort: { requested: true } }, { phase: 'Paused' }),
      row: /^ending\s+Paused \(aborting\)/,
    },
    {
      name: 'the question waiting, shortened',
      story: story(
        'asking',
        {},
        {
          phase: 'WaitingForHuman',
          pendingDecision: {
            id: 'q-1',
            question: 'Which of the two login flows should I keep, the old or the new one?',
          },
        },
      ),
      row: /^asking\s+WaitingForHuman\s+-\s+q-1: Which of the two login flows should I keep, the old or the…$/,
    },
    {
      name: 'the pull request of a finished story',
      story: story('done', {}, { phase: 'Succeeded', pullRequest: { url: 'https://forge/pull/7', number: 7 } }),
      row: /^done\s+Succeeded\s+-\s+https:\/\/forge\/pull\/7$/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [header, row] = storyTable([c.story], { allNamespaces: false }).split('\n');
      assert.match(header!, /^NAME\s+PHASE\s+STEP\s+COST\s+QUEUE\s+DECISION\s+PR$/);
      assert.match(row!, c.row);
    });
  }

  it('lines the columns up and names the namespace with -A', () => {
    const text = storyTable([story('a'), story('a-much-longer-name')], { allNamespaces: true });
    const lines = text.split('\n');
    assert.ok(lines.every((l) => l.startsWith('NAMESPACE') || l.startsWith('team-a')));
    const phaseAt = lines.map((l) => l.search(/PHASE|Queued/));
    assert.equal(new Set(phaseAt).size, 1, `PHASE column aligned: ${text}`);
  });
});
