// The PID file behind `nightshift-operator start|stop|status`.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims the PID file, refusing when another live operator holds it. */
export function claimPidFile(pidFile: string): void {
  const holder = readPid(pidFile);
  if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
    throw new Error(`nightshift-operator is already running (pid ${holder}, pid file ${pidFile})`);
  }
  writeFileSync(pidFile, `${process.pid}\n`);
}

export function releasePidFile(pidFile: string): void {
  if (readPid(pidFile) === process.pid) rmSync(pidFile, { force: true });
}
