// What the forge's GitHub API answers from memory (the pull requests, and so
// their numbering), kept on disk under the forge root so a forge restarted on
// the same root lists the same pull requests and numbers the next one right.
//   <root>/.forge/pulls.json   { "pulls": [RecordedPull, ...] }
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RecordedPull } from './github-api.ts';

const recordedPullSchema = z.object({
  owner: z.string(),
  repo: z.string(),
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullable(),
  head: z.string(),
  base: z.string(),
  draft: z.boolean(),
  state: z.enum(['open', 'closed']),
  headSha: z.string(),
  baseSha: z.string(),
  createdAt: z.string(),
}) satisfies z.ZodType<RecordedPull>;

const stateFileSchema = z.object({ pulls: z.array(recordedPullSchema) });

export function pullsFile(root: string): string {
  return join(root, '.forge', 'pulls.json');
}

/** The pull requests a forge on this root recorded before, or none for a new root. */
export function loadPulls(root: string): RecordedPull[] {
  const file = pullsFile(root);
  if (!existsSync(file)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`failed to read the forge's pull requests from ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const result = stateFileSchema.safeParse(parsed);
  if (!result.success) {
    throw new Error(`the forge's pull requests in ${file} are not valid: ${z.prettifyError(result.error)}`);
  }
  return result.data.pulls;
}

let writes = 0;

/** Writes the pull requests atomically: a reader (or a forge killed mid-write) sees the old file or the new one. */
export function savePulls(root: string, pulls: readonly RecordedPull[]): void {
  const file = pullsFile(root);
  const temp = `${file}.${process.pid}.${++writes}.tmp`;
  try {
    mkdirSync(join(root, '.forge'), { recursive: true });
    writeFileSync(temp, `${JSON.stringify({ pulls }, null, 2)}\n`);
    renameSync(temp, file);
  } catch (error) {
    throw new Error(`failed to save the forge's pull requests to ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
