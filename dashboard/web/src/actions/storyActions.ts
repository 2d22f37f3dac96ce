// Every control of a story, once: the Story page's buttons and the bulk
// actions of the lists come from this table. Each runs one API call at the
// story's resourceVersion; nothing is changed in the cache here — the
// WebSocket brings the new state.
import type { StorySummary } from '@nightshift/dashboard/api';
import { api } from '../api/client.ts';

export interface StoryAction {
  id: string;
  label: string;
  /** Shown in the confirmation dialog; every action asks before it runs. */
  confirm: { title: (story: StorySummary) => string; body: string; label: string; danger?: boolean };
  enabled(story: StorySummary): boolean;
  run(story: StorySummary): Promise<unknown>;
}

const FINISHED = new Set(['Succeeded', 'Failed', 'Aborted']);
const finished = (s: StorySummary) => s.phase !== null && FINISHED.has(s.phase);
const pausable = (s: StorySummary) => !finished(s) && !s.paused && !s.abortRequested;

export const STORY_ACTIONS: readonly StoryAction[] = [
  {
    id: 'pause',
    label: 'Pause',
    confirm: {
      title: (s) => `Pause ${s.title}?`,
      body: 'Graceful: the step in flight finishes and is checkpointed, then the pod stops. Resume continues from there.',
      label: 'Pause',
    },
    enabled: pausable,
    run: (s) => api.pause(s.namespace, s.name, s.resourceVersion, 'Graceful'),
  },
  {
    id: 'pause-now',
    label: 'Pause now',
    confirm: {
      title: (s) => `Pause ${s.title} immediately?`,
      body: 'The pod stops now; the step in flight is lost and runs again from the last checkpoint on resume.',
      label: 'Pause now',
      danger: true,
    },
    enabled: pausable,
    run: (s) => api.pause(s.namespace, s.name, s.resourceVersion, 'Immediate'),
  },
  {
    id: 'resume',
    label: 'Resume',
    confirm: { title: (s) => `Resume ${s.title}?`, body: 'It continues from its last checkpoint.', label: 'Resume' },
    enabled: (s) => !finished(s) && s.paused && !s.abortRequested,
    run: (s) => api.resume(s.namespace, s.name, s.resourceVersion),
  },
  {
    id: 'abort-keep',
    label: 'Abort, keep work',
    confirm: {
      title: (s) => `Abort ${s.title} and keep the work?`,
      body: 'The pod is stopped and the work-in-progress branch is pushed before cleaning up. This cannot be undone.',
      label: 'Abort and keep',
      danger: true,
    },
    enabled: (s) => !finished(s) && !s.abortRequested,
    run: (s) => api.abort(s.namespace, s.name, s.resourceVersion, true),
  },
  {
    id: 'abort-discard',
    label: 'Abort, discard',
    confirm: {
      title: (s) => `Abort ${s.title} and discard the work?`,
      body: 'The pod is stopped and its work is thrown away. This cannot be undone.',
      label: 'Abort and discard',
      danger: true,
    },
    enabled: (s) => !finished(s) && !s.abortRequested,
    run: (s) => api.abort(s.namespace, s.name, s.resourceVersion, false),
  },
  {
    id: 'move-to-front',
    label: 'Move to front',
    confirm: {
      title: (s) => `Move ${s.title} to the front of its queue?`,
      body: 'It is admitted next.',
      label: 'Move',
    },
    enabled: (s) => s.queue !== null && (s.phase === 'Queued' || s.phase === null),
    run: (s) => api.reprioritize(s.namespace, s.name, { resourceVersion: s.resourceVersion, moveToFront: true }),
  },
  {
    id: 'skip',
    label: 'Skip',
    confirm: {
      title: (s) => `Skip ${s.title}?`,
      body: 'It keeps waiting while the stories after it go ahead.',
      label: 'Skip',
    },
    enabled: (s) => s.queue !== null && !s.skip && (s.phase === 'Queued' || s.phase === null),
    run: (s) => api.reprioritize(s.namespace, s.name, { resourceVersion: s.resourceVersion, skip: true }),
  },
  {
    id: 'unskip',
    label: 'Unskip',
    confirm: {
      title: (s) => `Let ${s.title} be admitted again?`,
      body: 'It takes its place in the queue again.',
      label: 'Unskip',
    },
    enabled: (s) => s.queue !== null && s.skip && !finished(s),
    run: (s) => api.reprioritize(s.namespace, s.name, { resourceVersion: s.resourceVersion, skip: false }),
  },
];

export const actionsFor = (story: StorySummary, ids?: readonly string[]) =>
  STORY_ACTIONS.filter((a) => (!ids || ids.includes(a.id)) && a.enabled(story));
