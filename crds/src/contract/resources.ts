// Names every process uses to find Nightshift's objects: the API resources of
// the three kinds (derived from KINDS, so a new kind cannot be misspelt), and
// the labels and annotations on the pods and volumes the operator makes.
import { KINDS } from '../definitions.ts';
import { GROUP, VERSION } from '../meta.ts';

/** An API resource as REST paths and informers name it. */
export interface ResourceDescriptor {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

function descriptorOf(kind: string): ResourceDescriptor {
  const definition = KINDS.find((k) => k.kind === kind);
  if (!definition) throw new Error(`no kind ${kind} in KINDS`);
  return { group: GROUP, version: VERSION, plural: definition.plural, kind: definition.kind };
}

export const RESOURCES = {
  storyRun: descriptorOf('StoryRun'),
  workQueue: descriptorOf('WorkQueue'),
  budget: descriptorOf('Budget'),
} as const;

/** Labels on every story pod and volume. */
export const LABELS = {
  /** The StoryRun's name (only when it fits a label value: 63 characters). */
  storyRun: 'nightshift.dev/storyrun',
  storyRunUid: 'nightshift.dev/storyrun-uid',
  attempt: 'nightshift.dev/attempt',
  mode: 'nightshift.dev/mode',
  managedBy: 'app.kubernetes.io/managed-by',
  name: 'app.kubernetes.io/name',
} as const;

/** The value of LABELS.managedBy on what the operator made; its informers select on it. */
export const MANAGED_BY = 'nightshift-operator';
/** The value of LABELS.name on story pods. */
export const RUNNER_APP_NAME = 'nightshift-runner';

export const ANNOTATIONS = {
  storyId: 'nightshift.dev/story-id',
  sessionId: 'nightshift.dev/session-id',
  /**
   * On a Budget: confirms a raised limit or a new extension. Its value must be
   * the Budget's status.pendingIncrease (which names the new spec, e.g.
   * "dailyLimitUSD=50"); the dashboard sets it after its confirmation dialog.
   */
  confirmIncrease: 'nightshift.dev/confirm-increase',
  /** On a Budget: who changed it and why, as the dashboard's audit knows it ("<user>: <reason>"); recorded with the change. */
  changeReason: 'nightshift.dev/change-reason',
} as const;

/** The finalizer the operator puts on StoryRuns, so their records are closed when they go. */
export const STORYRUN_FINALIZER = 'nightshift.dev/records';
