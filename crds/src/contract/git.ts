// The branch a story's work lives on: the runner commits and pushes there, the
// operator shows it in status, the dashboard links it.
export const BRANCH_PREFIX = 'nightshift/';

export const branchFor = (storyId: string) => `${BRANCH_PREFIX}${storyId}`;
