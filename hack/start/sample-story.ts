// The sample story `npm start` runs: examples/storyrun.yaml, pointed at the
// forge this demo started (the file names the default one, 127.0.0.1:7080).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../test/harness.ts';

export const SAMPLE_STORY_FILE = join(REPO_ROOT, 'examples', 'storyrun.yaml');

export interface SampleStory {
  metadata: { name: string };
  spec: { repository: { url: string; pullRequests: { apiURL: string } } };
}

/** The sample StoryRun with its repository URL and pull-request API URL moved to forgeURL (same paths). */
export function sampleStory(forgeURL: string, yaml = readFileSync(SAMPLE_STORY_FILE, 'utf8')): SampleStory {
  const story = parse(yaml) as Partial<SampleStory>;
  const repository = story.spec?.repository;
  if (!story.metadata?.name || !repository?.url || !repository.pullRequests?.apiURL) {
    throw new Error(
      `${SAMPLE_STORY_FILE}: expected metadata.name, spec.repository.url and spec.repository.pullRequests.apiURL`,
    );
  }
  repository.url = onForge(repository.url, forgeURL);
  repository.pullRequests.apiURL = onForge(repository.pullRequests.apiURL, forgeURL);
  return story as SampleStory;
}

function onForge(url: string, forgeURL: string): string {
  const { pathname } = new URL(url);
  return new URL(pathname, forgeURL).toString();
}
