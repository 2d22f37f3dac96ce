import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFileLock } from './file-lock.ts';

describe('git lock file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lets one holder in at a time and removes itself after', async () => {
    const path = join(dir, 'git.lck');
    const log: string[] = [];
    const hold = (name: string) =>
      withFileLock(path, async () => {
        log.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 30));
        log.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    for (let i = 0; i < log.length; i += 2) assert.equal(log[i]!.split(' ')[0], log[i + 1]!.split(' ')[0]);
    assert.equal(existsSync(path), false);
  });

  it('takes over a lock whose process is gone, saying why', async () => {
    const path = join(dir, 'git.lck');
    writeFileSync(path, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), incarnation: 'x' }));
    const reasons: string[] = [];
    assert.equal(await withFileLock(path, async () => 'ran', { onTakeover: (r) => reasons.push(r) }), 'ran');
    assert.match(reasons[0]!, /which is gone/);
  });

  it("waits for another host's fresh lock, and takes it over once it goes stale", async () => {
    const path = join(dir, 'git.lck');
    writeFileSync(path, JSON.stringify({ pid: 1, host: 'another-pod', incarnation: 'y' }));
    await assert.rejects(
      withFileLock(path, async () => 'ran', { timeoutMs: 200 }),
      /timed out waiting for the git lock/,
    );
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    const reasons: string[] = [];
    assert.equal(await withFileLock(path, async () => 'ran', { onTakeover: (r) => reasons.push(r) }), 'ran');
    assert.match(reasons[0]!, /not refreshed for \d+ s/);
  });
});
