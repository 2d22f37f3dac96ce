// Agents may only touch files inside their worktree: a path is resolved
// against it, and refused when it leaves it — by "..", by an absolute path, or
// through a symlink anywhere along the way — or when it reaches into .git.
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export class PathOutsideWorktree extends Error {
  override name = 'PathOutsideWorktree';
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The nearest existing ancestor's real path, with the rest appended. */
async function realPathOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const parent = dirname(path);
    if (parent === path) return path;
    return join(await realPathOf(parent), basename(path));
  }
}

/** The absolute path of `path` (relative to root) when it stays inside root; throws otherwise. */
export async function resolveInWorktree(root: string, path: string): Promise<string> {
  if (typeof path !== 'string' || path.trim() === '') throw new PathOutsideWorktree('an empty path');
  if (path.includes('\0')) throw new PathOutsideWorktree(`${JSON.stringify(path)} contains a NUL byte`);
  const realRoot = await realpath(root);
  const lexical = resolve(realRoot, path);
  if (!within(realRoot, lexical)) throw new PathOutsideWorktree(`${path} is outside the worktree`);
  const rel = relative(realRoot, lexical);
  if (rel === '.git' || rel.startsWith(`.git${sep}`)) throw new PathOutsideWorktree(`${path} is inside .git`);
  const real = await realPathOf(lexical);
  if (!within(realRoot, real)) throw new PathOutsideWorktree(`${path} leads outside the worktree through a symlink`);
  const realRel = relative(realRoot, real);
  if (realRel === '.git' || realRel.startsWith(`.git${sep}`)) {
    throw new PathOutsideWorktree(`${path} leads into .git through a symlink`);
  }
  // A dangling symlink as the last component would let a write create a file wherever it points.
  try {
    if ((await lstat(lexical)).isSymbolicLink() && real === lexical) {
      throw new PathOutsideWorktree(`${path} is a dangling symlink`);
    }
  } catch (error) {
    if (error instanceof PathOutsideWorktree) throw error;
  }
  return real;
}
