// A WebSocket client of /api/events for tests: subscribes (optionally after
// a seq, with a filter), keeps every message, and waits for what a test needs.
import WebSocket from 'ws';
import {
  serverMessageSchema,
  type ChangeMessage,
  type ServerMessage,
  type SubscriptionFilter,
} from '../../src/api/schemas.ts';

export class Follower {
  readonly messages: ServerMessage[] = [];
  readonly socket: WebSocket;
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      this.messages.push(serverMessageSchema.parse(JSON.parse(data.toString())));
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static connect(
    baseURL: string,
    token: string,
    subscription: { after?: number; filter?: SubscriptionFilter } | undefined = {},
  ): Promise<Follower> {
    const socket = new WebSocket(`${baseURL.replace(/^http/, 'ws')}/api/events`, [
      'nightshift.v1',
      `nightshift.bearer.${token}`,
    ]);
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error(`upgrade answered ${res.statusCode}`), { status: res.statusCode })),
      );
      socket.once('open', () => {
        const follower = new Follower(socket);
        if (subscription) socket.send(JSON.stringify({ type: 'subscribe', ...subscription }));
        resolve(follower);
      });
    });
  }

  get changes(): ChangeMessage[] {
    return this.messages.filter((m): m is ChangeMessage => m.type === 'change');
  }

  get lastSeq(): number | undefined {
    return this.changes.at(-1)?.seq;
  }

  async waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; got ${this.messages.length} messages, last ${JSON.stringify(this.messages.at(-1))?.slice(0, 300)}`,
        );
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  close(): void {
    this.socket.close();
  }

  terminate(): void {
    this.socket.terminate();
  }
}
