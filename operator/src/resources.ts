// The nightshift.dev resources as the machinery names them.
import type { ResourceType } from './kube/index.ts';

export const storyRunResource: ResourceType = {
  group: 'nightshift.dev',
  version: 'v1alpha1',
  plural: 'storyruns',
  kind: 'StoryRun',
};
