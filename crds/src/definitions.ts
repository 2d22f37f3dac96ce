// The three kinds as CustomResourceDefinitions: names, printer columns and
// the schema each one derives from its zod source.
import { z } from 'zod';
import { GROUP, VERSION } from './meta.ts';
import { storyRunSpecSchema, storyRunStatusSchema } from './storyrun.ts';
import { workQueueSpecSchema, workQueueStatusSchema } from './workqueue.ts';
import { budgetSpecSchema, budgetStatusSchema } from './budget.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: z.ZodType;
  status: z.ZodType;
  printerColumns: PrinterColumn[];
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export const KINDS: KindDefinition[] = [
  {
    kind: 'StoryRun',
    plural: 'storyruns',
    singular: 'storyrun',
    shortNames: ['sr'],
    description: 'A software story worked by an AI coding agent in its own pod, ending in a draft pull request.',
    spec: storyRunSpecSchema,
    status: storyRunStatusSchema,
    printerColumns: [
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Step', type: 'string', jsonPath: '.status.step' },
      { name: 'Queue', type: 'string', jsonPath: '.spec.queueRef' },
      { name: 'Cost', type: 'number', jsonPath: '.status.costUSD', description: 'Spent so far (USD)' },
      { name: 'PR', type: 'string', jsonPath: '.status.pullRequest.url' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      { name: 'Priority', type: 'integer', jsonPath: '.spec.priority', priority: 1 },
      { name: 'Position', type: 'integer', jsonPath: '.status.queuePosition', priority: 1 },
      { name: 'Attempt', type: 'integer', jsonPath: '.status.attempt', priority: 1 },
      { name: 'Pod', type: 'string', jsonPath: '.status.podName', priority: 1 },
      { name: 'Message', type: 'string', jsonPath: '.status.message', priority: 1 },
    ],
  },
  {
    kind: 'WorkQueue',
    plural: 'workqueues',
    singular: 'workqueue',
    shortNames: ['wq'],
    description:
      'Admits the StoryRuns that name it in priority order, within maxParallel, its Budget and its schedule.',
    spec: workQueueSpecSchema,
    status: workQueueStatusSchema,
    printerColumns: [
      { name: 'Running', type: 'integer', jsonPath: '.status.running' },
      { name: 'Queued', type: 'integer', jsonPath: '.status.queued' },
      { name: 'Max', type: 'integer', jsonPath: '.spec.maxParallel' },
      { name: 'Next', type: 'string', jsonPath: '.status.next' },
      { name: 'State', type: 'string', jsonPath: '.status.state' },
      { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused', priority: 1 },
      { name: 'Budget', type: 'string', jsonPath: '.spec.budgetRef', priority: 1 },
      { name: 'Schedule', type: 'date', jsonPath: '.status.nextScheduleChange', priority: 1 },
      age,
    ],
  },
  {
    kind: 'Budget',
    plural: 'budgets',
    singular: 'budget',
    shortNames: ['nsb'],
    description: 'Daily and weekly spending limits in a time zone, shared by the WorkQueues that name it.',
    spec: budgetSpecSchema,
    status: budgetStatusSchema,
    printerColumns: [
      { name: 'Today', type: 'number', jsonPath: '.status.spentTodayUSD' },
      { name: 'Week', type: 'number', jsonPath: '.status.spentThisWeekUSD' },
      { name: 'Reserved', type: 'number', jsonPath: '.status.reservedUSD' },
      { name: 'State', type: 'string', jsonPath: '.status.state' },
      { name: 'ResetsAt', type: 'date', jsonPath: '.status.periodResetsAt' },
      { name: 'Daily', type: 'number', jsonPath: '.spec.dailyLimitUSD', priority: 1 },
      { name: 'Weekly', type: 'number', jsonPath: '.spec.weeklyLimitUSD', priority: 1 },
      age,
    ],
  },
];

export const CATEGORY = 'nightshift';
export { GROUP, VERSION };
