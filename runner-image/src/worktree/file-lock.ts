// A lock file that serializes git operations on a shared object store across
// processes (and pods sharing a volume). The holder refreshes its mtime; a lock
// whose holder is gone — a dead process on this host, an earlier incarnation
// of this process, or no refresh for staleMs — is taken over.
import { randomUUID } from 'node:crypto';
import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';

const INCARNATION = randomUUID();

export interface FileLockOptions {
  staleMs?: number;
  timeoutMs?: number;
  pollMs?: number;
  onTakeover?: (reason: string) => void;
}

interface Holder {
  pid: number;
  host: string;
  incarnation: string;
}

export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const staleMs = options.staleMs ?? 15_000;
  const release = await acquire(path, { ...options, staleMs });
  const refresh = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, staleMs / 3);
  refresh.unref();
  try {
    return await fn();
  } finally {
    clearInterval(refresh);
    await release();
  }
}

async function acquire(path: string, options: FileLockOptions & { staleMs: number }): Promise<() => Promise<void>> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  const me: Holder = { pid: process.pid, host: hostname(), incarnation: INCARNATION };
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      return async () => {
        const holder = await readHolder(path);
        if (holder?.incarnation === INCARNATION) await unlink(path).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const reason = await staleReason(path, me, options.staleMs);
    if (reason) {
      options.onTakeover?.(reason);
      await unlink(path).catch(() => {});
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the git lock ${path}`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 50));
  }
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

async function staleReason(path: string, me: Holder, staleMs: number): Promise<string | undefined> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(path)).mtimeMs;
  } catch {
    return undefined; // released meanwhile: just retry
  }
  const holder = await readHolder(path);
  if (holder && holder.host === me.host) {
    if (holder.pid === me.pid && holder.incarnation !== me.incarnation) {
      return `lock ${path} was held by an earlier run of this process (pid ${holder.pid})`;
    }
    if (holder.pid !== me.pid && !alive(holder.pid)) {
      return `lock ${path} was held by process ${holder.pid}, which is gone`;
    }
  }
  if (Date.now() - mtimeMs > staleMs) {
    return `lock ${path} was not refreshed for ${Math.round((Date.now() - mtimeMs) / 1000)} s`;
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
