import assert from 'node:assert/strict';
import { createLogger } from './log.ts';

describe('runner log', () => {
  it('writes JSON lines with the run bindings and scrubs secrets wherever they appear', () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      secrets: ['ghp_0123456789abcdef'],
      bindings: { storyRun: 'default/hello' },
      destination: { write: (line: string) => void lines.push(line) },
    });
    log.info({ url: 'https://x-access-token:ghp_0123456789abcdef@github.com/a/b' }, 'cloning');
    log.error(new Error('push failed with ghp_0123456789abcdef'), 'git failed');
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(first!.url, 'https://x-access-token:***@github.com/a/b');
    assert.equal(first!.storyRun, 'default/hello');
    assert.equal(first!.level, 'info');
    assert.doesNotMatch(JSON.stringify(second), /ghp_0123456789abcdef/);
  });
});
