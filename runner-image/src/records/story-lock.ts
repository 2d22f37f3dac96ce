// A session-level advisory lock on the story's uid, held on a connection of its
// own for the whole run, so two pods can never advance one story. If that
// connection drops, the lock is gone and the runner must stop at once.
import pg from 'pg';
import { z } from 'zod';

const lockResult = z.object({ ok: z.boolean() });

export class StoryLock {
  private readonly client: pg.Client;
  private readonly key: string;
  private released = false;

  private constructor(client: pg.Client, key: string) {
    this.client = client;
    this.key = key;
  }

  /**
   * Connects and takes the lock, polling until timeoutMs; onLost runs if the
   * lock's connection ends while held. shouldGiveUp stops the wait early.
   */
  static async acquire(
    databaseURL: string,
    storyUid: string,
    options: { timeoutMs: number; onLost: (error: Error) => void; shouldGiveUp?: () => boolean },
  ): Promise<StoryLock> {
    const client = new pg.Client({
      connectionString: databaseURL,
      application_name: 'nightshift-runner-lock',
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    // Until the lock is held, a dropped connection fails the wait: pg reports it
    // as an 'error' event, which would crash the process without a listener.
    let dropped: (error: Error) => void = () => {};
    const connectionLost = new Promise<never>((_, reject) => {
      dropped = (error) => reject(new Error(`its connection dropped: ${error.message}`, { cause: error }));
    });
    connectionLost.catch(() => undefined);
    client.on('error', dropped);
    const unlessDropped = <T>(step: Promise<T>) => Promise.race([step, connectionLost]);
    const key = `nightshift:story:${storyUid}`;
    let held: boolean;
    try {
      await unlessDropped(client.connect());
      // This connection sits idle for the whole run. If its pod dies with its
      // node, the server only notices through TCP keepalives: ask for them soon,
      // so a dead pod's lock is released within about a minute, not hours.
      await unlessDropped(
        client.query('set tcp_keepalives_idle = 30; set tcp_keepalives_interval = 10; set tcp_keepalives_count = 3'),
      );
      held = await pollForLock(client, key, Date.now() + options.timeoutMs, options.shouldGiveUp, unlessDropped);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new Error(`failed to wait for the lock of story ${storyUid}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!held) {
      await client.end().catch(() => undefined);
      throw new Error(`story ${storyUid} is locked by another runner (waited ${options.timeoutMs} ms)`);
    }
    client.off('error', dropped);
    const lock = new StoryLock(client, key);
    const lost = (error?: Error) => options.onLost(error ?? new Error('the story lock connection ended'));
    client.on('error', lost);
    client.on('end', () => {
      if (!lock.released) lost();
    });
    return lock;
  }

  /** Runs fn under a second, process-wide advisory lock (e.g. one-time schema setup). */
  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    await this.client.query('select pg_advisory_lock(hashtextextended($1, 0))', [name]);
    try {
      return await fn();
    } finally {
      await this.client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [name]);
    }
  }

  async release(): Promise<void> {
    this.released = true;
    await this.client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [this.key]).catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}

/** Tries the lock every 500 ms; false when the deadline passed or the caller gave up first. */
async function pollForLock(
  client: pg.Client,
  key: string,
  deadline: number,
  shouldGiveUp: (() => boolean) | undefined,
  unlessDropped: <T>(step: Promise<T>) => Promise<T>,
): Promise<boolean> {
  for (;;) {
    const { rows } = await unlessDropped(
      client.query('select pg_try_advisory_lock(hashtextextended($1, 0)) as ok', [key]),
    );
    if (lockResult.parse(rows[0]).ok) return true;
    if (Date.now() > deadline || shouldGiveUp?.()) return false;
    await unlessDropped(new Promise((r) => setTimeout(r, 500)));
  }
}
