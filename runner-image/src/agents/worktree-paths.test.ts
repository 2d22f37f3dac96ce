import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PathOutsideWorktree, resolveInWorktree } from './worktree-paths.ts';

describe('worktree paths', () => {
  let dir: string;
  let root: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'paths-')));
    root = join(dir, 'repo');
    mkdirSync(join(root, 'src'), { recursive: true });
    mkdirSync(join(root, '.git'));
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(dir, 'outside', 'secret.txt'), 'secret');
    symlinkSync(join(dir, 'outside'), join(root, 'link-out'));
    symlinkSync(join(dir, 'outside', 'secret.txt'), join(root, 'secret-link'));
    symlinkSync(join(root, 'src'), join(root, 'link-in'));
    symlinkSync(join(dir, 'outside', 'nothing-yet'), join(root, 'dangling'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves paths inside the worktree, new files and symlinks that stay inside included', async () => {
    assert.equal(await resolveInWorktree(root, 'src/a.js'), join(root, 'src', 'a.js'));
    assert.equal(await resolveInWorktree(root, './new/dir/b.js'), join(root, 'new', 'dir', 'b.js'));
    assert.equal(await resolveInWorktree(root, 'link-in/c.js'), join(root, 'src', 'c.js'));
  });

  it('refuses paths that leave it, lexically or through symlinks, and .git', async () => {
    for (const path of [
      '../outside/secret.txt',
      '/etc/passwd',
      'src/../../outside',
      'link-out/secret.txt',
      'link-out/new.txt',
      'secret-link',
      'dangling',
      '.git/config',
      'src/../.git/hooks/pre-commit',
      '',
    ]) {
      await assert.rejects(resolveInWorktree(root, path), PathOutsideWorktree, `refuses ${JSON.stringify(path)}`);
    }
  });
});
