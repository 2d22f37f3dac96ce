import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SAMPLE_STORY_FILE, sampleStory } from './sample-story.ts';

describe('sampleStory', () => {
  it('moves the repository and its pull-request API to the forge it is given, and keeps the rest', () => {
    const story = sampleStory('http://127.0.0.1:17080');
    assert.equal(story.spec.repository.url, 'http://127.0.0.1:17080/git/demo/hello.git');
    assert.equal(story.spec.repository.pullRequests.apiURL, 'http://127.0.0.1:17080/api/v3');
    const original = parse(readFileSync(SAMPLE_STORY_FILE, 'utf8'));
    original.spec.repository.url = story.spec.repository.url;
    original.spec.repository.pullRequests.apiURL = story.spec.repository.pullRequests.apiURL;
    assert.deepEqual(story, original);
  });

  it('names what it needs when the file lacks it', () => {
    assert.throws(
      () => sampleStory('http://127.0.0.1:1', 'metadata: { name: x }\nspec: { repository: { url: http://a/b } }\n'),
      /spec\.repository\.pullRequests\.apiURL/,
    );
  });
});
