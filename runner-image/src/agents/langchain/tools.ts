// The langchain agent's tools, confined to the worktree: read, write, edit,
// list, search and run a command (with a timeout), plus two that end a turn:
// ask_human and finish. Tool errors go back to the model as text.
import { lstat, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { runCommand } from '../../commands/run-command.ts';
import { resolveInWorktree } from '../worktree-paths.ts';

const MAX_READ_BYTES = 100_000;
const MAX_LIST_ENTRIES = 500;
const MAX_SEARCH_MATCHES = 200;
const MAX_COMMAND_SECONDS = 600;

const object = (properties: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

/** OpenAI-style function definitions; both providers' LangChain clients accept them. */
export const TOOL_DEFINITIONS = [
  {
    name: 'read_file',
    description: 'Read a text file of the repository (path relative to the repository root).',
    parameters: object({ path: { type: 'string' } }, ['path']),
  },
  {
    name: 'write_file',
    description: 'Create or overwrite a file with the given content.',
    parameters: object({ path: { type: 'string' }, content: { type: 'string' } }, ['path', 'content']),
  },
  {
    name: 'edit_file',
    description: 'Replace exactly one occurrence of old_text with new_text in a file.',
    parameters: object({ path: { type: 'string' }, old_text: { type: 'string' }, new_text: { type: 'string' } }, [
      'path',
      'old_text',
      'new_text',
    ]),
  },
  {
    name: 'list_files',
    description: 'List a directory of the repository (recursive: the whole tree below it).',
    parameters: object({ path: { type: 'string' }, recursive: { type: 'boolean' } }, []),
  },
  {
    name: 'search',
    description: 'Search file contents with a regular expression; answers path:line: text.',
    parameters: object({ pattern: { type: 'string' }, path: { type: 'string' } }, ['pattern']),
  },
  {
    name: 'run_command',
    description: `Run a shell command in the repository root (timeout at most ${MAX_COMMAND_SECONDS} s); answers the exit code and output.`,
    parameters: object({ command: { type: 'string' }, timeout_seconds: { type: 'integer' } }, ['command']),
  },
  {
    name: 'ask_human',
    description:
      'Ask a human to decide something you cannot decide from the story. Ends your turn; you continue with the answer later.',
    parameters: object(
      {
        question: { type: 'string' },
        options: { type: 'array', items: { type: 'string' } },
        recommendation: { type: 'string' },
        context: { type: 'string', description: 'Everything the human needs to know to decide.' },
      },
      ['question', 'options', 'context'],
    ),
  },
  {
    name: 'finish',
    description: 'Call when the change is complete: a summary and your confidence (0..1) that it meets the story.',
    parameters: object({ summary: { type: 'string' }, confidence: { type: 'number' } }, ['summary', 'confidence']),
  },
].map((t) => ({ type: 'function' as const, function: t }));

export interface ToolOutcome {
  ok: boolean;
  output: string;
  /** the file a successful write or edit changed, relative to the worktree */
  changed?: string;
}

export async function executeTool(root: string, name: string, args: Record<string, unknown>): Promise<ToolOutcome> {
  try {
    switch (name) {
      case 'read_file':
        return await readTool(root, str(args.path, 'path'));
      case 'write_file':
        return await writeTool(root, str(args.path, 'path'), str(args.content, 'content'));
      case 'edit_file':
        return await editTool(
          root,
          str(args.path, 'path'),
          str(args.old_text, 'old_text'),
          str(args.new_text, 'new_text'),
        );
      case 'list_files':
        return await listTool(root, typeof args.path === 'string' ? args.path : '.', args.recursive === true);
      case 'search':
        return await searchTool(root, str(args.pattern, 'pattern'), typeof args.path === 'string' ? args.path : '.');
      case 'run_command':
        return await commandTool(root, str(args.command, 'command'), args.timeout_seconds);
      default:
        return { ok: false, output: `error: unknown tool ${name}` };
    }
  } catch (error) {
    return { ok: false, output: `error: ${(error as Error).message}` };
  }
}

function str(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new Error(`"${name}" must be a string`);
  return value;
}

async function readTool(root: string, path: string): Promise<ToolOutcome> {
  const full = await resolveInWorktree(root, path);
  const content = await readFile(full);
  const text = content.subarray(0, MAX_READ_BYTES).toString('utf8');
  return {
    ok: true,
    output: content.length > MAX_READ_BYTES ? `${text}\n[truncated at ${MAX_READ_BYTES} bytes]` : text,
  };
}

async function writeTool(root: string, path: string, content: string): Promise<ToolOutcome> {
  const full = await resolveInWorktree(root, path);
  await mkdir(dirname(full), { recursive: true });
  await resolveInWorktree(root, path); // the directories just made cannot have moved it outside, but check again
  await writeFile(full, content);
  return { ok: true, output: `wrote ${Buffer.byteLength(content)} bytes to ${path}`, changed: relative(root, full) };
}

async function editTool(root: string, path: string, oldText: string, newText: string): Promise<ToolOutcome> {
  const full = await resolveInWorktree(root, path);
  const content = await readFile(full, 'utf8');
  const count = oldText === '' ? 0 : content.split(oldText).length - 1;
  if (count !== 1) return { ok: false, output: `error: old_text occurs ${count} times in ${path}; it must occur once` };
  await writeFile(
    full,
    content.replace(oldText, () => newText),
  );
  return { ok: true, output: `edited ${path}`, changed: relative(root, full) };
}

async function listTool(root: string, path: string, recursive: boolean): Promise<ToolOutcome> {
  const start = await resolveInWorktree(root, path);
  const entries: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entries.length >= MAX_LIST_ENTRIES) return;
      if (entry.name === '.git') continue;
      const full = join(dir, entry.name);
      const rel = relative(root, full);
      entries.push(entry.isDirectory() ? `${rel}/` : entry.isSymbolicLink() ? `${rel}@` : rel);
      if (recursive && entry.isDirectory()) await walk(full); // symlinked directories are not followed
    }
  };
  await walk(start);
  return { ok: true, output: entries.length > 0 ? entries.join('\n') : '(empty)' };
}

async function searchTool(root: string, pattern: string, path: string): Promise<ToolOutcome> {
  const regex = new RegExp(pattern);
  const start = await resolveInWorktree(root, path);
  const matches: string[] = [];
  const visit = async (full: string) => {
    if (matches.length >= MAX_SEARCH_MATCHES) return;
    const info = await lstat(full);
    if (info.isSymbolicLink()) return;
    if (info.isDirectory()) {
      for (const entry of await readdir(full)) if (entry !== '.git') await visit(join(full, entry));
      return;
    }
    if (!info.isFile() || (await stat(full)).size > 1_000_000) return;
    const content = await readFile(full);
    if (content.includes(0)) return; // binary
    content
      .toString('utf8')
      .split('\n')
      .forEach((line, i) => {
        if (matches.length < MAX_SEARCH_MATCHES && regex.test(line)) {
          matches.push(`${relative(root, full)}:${i + 1}: ${line.slice(0, 300)}`);
        }
      });
  };
  await visit(start);
  return { ok: true, output: matches.length > 0 ? matches.join('\n') : 'no matches' };
}

async function commandTool(root: string, command: string, timeout: unknown): Promise<ToolOutcome> {
  const seconds =
    typeof timeout === 'number' && timeout > 0 ? Math.min(timeout, MAX_COMMAND_SECONDS) : MAX_COMMAND_SECONDS / 5;
  const result = await runCommand(['sh', '-c', command], {
    cwd: root,
    timeoutMs: seconds * 1000,
    maxOutputBytes: 16_000,
  });
  const status = result.timedOut ? `timed out after ${seconds} s` : `exit code ${result.exitCode ?? result.signal}`;
  return { ok: result.exitCode === 0, output: `${status}\n${result.output}` };
}
