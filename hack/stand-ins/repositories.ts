// Bare repositories on disk for the forge stand-in: create one from a set of
// files, seed the demo repository examples/storyrun.yaml works on, and read
// branches and files back for assertions.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

const AUTHOR = ['-c', 'user.name=Forge Seed', '-c', 'user.email=seed@forge.localhost'];

export async function git(cwd: string, args: string[]): Promise<string> {
  try {
    return (await exec('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`git ${args.join(' ')} in ${cwd}: ${e.stderr || e.message}`, { cause: error });
  }
}

/** Path of the bare repository for "owner/name" under root. */
export function repositoryPath(root: string, fullName: string): string {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(fullName)) throw new Error(`not an owner/name: ${fullName}`);
  return join(root, `${fullName}.git`);
}

/**
 * Creates the bare repository root/<owner>/<name>.git with one commit holding
 * files (path → content) on branch; returns the repository's path.
 */
export async function createRepository(
  root: string,
  fullName: string,
  files: Record<string, string>,
  { branch = 'main' }: { branch?: string } = {},
): Promise<string> {
  const bare = repositoryPath(root, fullName);
  if (existsSync(bare)) throw new Error(`repository ${fullName} already exists in ${root}`);
  await mkdir(dirname(bare), { recursive: true });
  await git(dirname(bare), ['init', '--quiet', '--bare', `--initial-branch=${branch}`, bare]);
  await git(bare, ['config', 'http.receivepack', 'true']);
  const work = await mkdtemp(join(tmpdir(), 'forge-seed-'));
  try {
    await git(work, ['init', '--quiet', `--initial-branch=${branch}`]);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
    }
    await git(work, ['add', '-A']);
    await git(work, [...AUTHOR, 'commit', '--quiet', '-m', 'Initial commit']);
    await git(work, ['push', '--quiet', bare, `HEAD:refs/heads/${branch}`]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return bare;
}

/**
 * The repository examples/storyrun.yaml changes: greeting.js ignores its
 * argument, and `npm test` (node --test) checks greeting('Ada') — so the test
 * fails until the sample story's change is applied.
 */
export const DEMO_REPOSITORY_FILES: Record<string, string> = {
  'package.json': `${JSON.stringify(
    { name: 'hello', version: '1.0.0', private: true, type: 'module', scripts: { test: 'node --test' } },
    null,
    2,
  )}\n`,
  'greeting.js': "export function greeting() {\n  return 'Hello, world!';\n}\n",
  'greeting.test.js': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { greeting } from './greeting.js';",
    '',
    "test('greets the world by default', () => {",
    "  assert.equal(greeting(), 'Hello, world!');",
    '});',
    '',
    "test('greets by name', () => {",
    "  assert.equal(greeting('Ada'), 'Hello, Ada!');",
    '});',
    '',
  ].join('\n'),
  'README.md': '# hello\n\nA tiny repository for the Nightshift sample story.\n',
};

export const DEMO_REPOSITORY = 'demo/hello';

/** Seeds root with demo/hello (see DEMO_REPOSITORY_FILES); returns its path. */
export function seedDemoRepository(root: string): Promise<string> {
  return createRepository(root, DEMO_REPOSITORY, DEMO_REPOSITORY_FILES);
}

/** The commit a branch points at, or undefined when the branch does not exist. */
export async function branchHead(bare: string, branch: string): Promise<string | undefined> {
  try {
    return (await git(bare, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`])).trim();
  } catch {
    return undefined;
  }
}

/** A file's content at a revision of a bare repository. */
export async function readFileAt(bare: string, revision: string, path: string): Promise<string> {
  return git(bare, ['show', `${revision}:${path}`]);
}
