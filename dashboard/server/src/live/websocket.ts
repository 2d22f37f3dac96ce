// /api/events: the WebSocket every client follows the change log on. The
// token comes in Sec-WebSocket-Protocol (`nightshift.v1, nightshift.bearer.
// <token>`), never in the URL. A client subscribes with the last seq it has:
// it gets everything after it from the change log first, then live changes —
// each seq once and in order, across reconnects and server restarts. A
// client with more than maxBufferedBytes unsent falls behind: it leaves the
// live broadcast and catches up from the change log at its own pace, so it
// never holds back the others and a burst bigger than the buffer drops no
// one; a client that does not drain (or answer pings) meanwhile is dropped.
// Heartbeats (a ping, and a message with the current seq) find dead
// connections and tell live ones where we are.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  clientMessageSchema,
  WEBSOCKET_PROTOCOL,
  WEBSOCKET_TOKEN_PREFIX,
  type ChangeMessage,
  type ServerMessage,
  type SubscriptionFilter,
} from '../api/schemas.ts';
import { problemOf, PROBLEM_CONTENT_TYPE } from '../api/problem.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import type { ChangeFeed } from './feed.ts';
import { matches } from './filter.ts';

export const EVENTS_PATH = '/api/events';

interface Client {
  socket: WebSocket;
  tokenName: string;
  filter: SubscriptionFilter | undefined;
  /** The last seq this client has been given (or skipped as filtered out). */
  last: number;
  live: boolean;
  alive: boolean;
  /** Bumped by each subscribe: a replay of an older subscription stops. */
  subscription: number;
}

export interface WebSocketHubOptions {
  feed: ChangeFeed;
  authenticator: Authenticator;
  logger: Logger;
  heartbeatMs: number;
  maxBufferedBytes: number;
  allowedOrigins: readonly string[];
}

export class WebSocketHub {
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: () => WEBSOCKET_PROTOCOL,
  });
  private readonly clients = new Set<Client>();
  private readonly options: WebSocketHubOptions;
  private readonly logger: Logger;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  /** Clients dropped for not keeping up (not draining, or silent while behind), since start. */
  dropped = 0;

  constructor(options: WebSocketHubOptions) {
    this.options = options;
    this.logger = options.logger.child({ component: 'websocket' });
    this.unsubscribe = options.feed.subscribe((changes) => this.broadcast(changes));
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** The HTTP server's 'upgrade' handler. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, detail: string, headers: Record<string, string> = {}) => {
      const body = JSON.stringify(problemOf(status, detail, EVENTS_PATH));
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 429 ? 'Too Many Requests' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Bad Request'}\r\n` +
          Object.entries({
            'Content-Type': PROBLEM_CONTENT_TYPE,
            'Content-Length': String(Buffer.byteLength(body)),
            Connection: 'close',
            ...headers,
          })
            .map(([k, v]) => `${k}: ${v}\r\n`)
            .join('') +
          `\r\n${body}`,
      );
    };
    try {
      const url = new URL(req.url ?? '/', 'http://dashboard');
      const protocols = (req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      const presented = protocols
        .find((p) => p.startsWith(WEBSOCKET_TOKEN_PREFIX))
        ?.slice(WEBSOCKET_TOKEN_PREFIX.length);
      const auth = await this.options.authenticator.authenticate(req.socket.remoteAddress ?? 'unknown', presented);
      if (!auth.ok) return refuse(auth.status, auth.detail, auth.headers);
      if (url.pathname !== EVENTS_PATH) return refuse(404, `no WebSocket at ${url.pathname}; use ${EVENTS_PATH}`);
      if (!protocols.includes(WEBSOCKET_PROTOCOL)) return refuse(400, `offer the subprotocol ${WEBSOCKET_PROTOCOL}`);
      const origin = req.headers.origin;
      if (origin && !this.sameOrigin(origin, req) && !this.options.allowedOrigins.includes(origin)) {
        return refuse(403, `origin ${origin} is not allowed`);
      }
      this.server.handleUpgrade(req, socket, head, (ws) => this.accept(ws, auth.identity.name));
    } catch (error) {
      this.logger.error({ err: error }, 'WebSocket upgrade failed');
      socket.destroy();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const client of this.clients) client.socket.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const client of this.clients) client.socket.terminate();
  }

  private sameOrigin(origin: string, req: IncomingMessage): boolean {
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  private accept(socket: WebSocket, tokenName: string): void {
    const client: Client = {
      socket,
      tokenName,
      filter: undefined,
      last: this.options.feed.head,
      live: false,
      alive: true,
      subscription: 0,
    };
    this.clients.add(client);
    socket.on('pong', () => (client.alive = true));
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', (error) => this.logger.debug({ err: error }, 'WebSocket client error'));
    socket.on('message', (data) => void this.onMessage(client, data.toString()));
  }

  private async onMessage(client: Client, text: string): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.send(client, { type: 'error', detail: 'messages are JSON' });
    }
    const parsed = clientMessageSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.send(client, { type: 'error', detail: `${issue?.path.join('.') || 'message'}: ${issue?.message}` });
    }
    const message = parsed.data;
    client.subscription++;
    client.live = false;
    client.filter = message.filter;
    const head = this.options.feed.head;
    this.send(client, { type: 'subscribed', after: message.after ?? null, head });
    if (message.after === undefined) {
      client.last = head;
      client.live = true;
      return;
    }
    await this.replay(client, message.after);
  }

  /** Everything after seq from the change log, then live: the switch happens where the feed's head is. */
  private async replay(client: Client, after: number): Promise<void> {
    const { feed } = this.options;
    const horizon = await feed.horizon();
    if (after < horizon) {
      client.last = feed.head;
      client.live = true;
      this.send(client, { type: 'reset', seq: client.last, detail: `changes up to ${horizon} were pruned` });
      return;
    }
    client.last = after;
    const subscription = client.subscription;
    for (;;) {
      if (client.socket.readyState !== client.socket.OPEN || client.subscription !== subscription) return;
      const changes = await feed.after(client.last, 500);
      for (const change of changes) this.deliver(client, change);
      await this.drained(client);
      // No await between this check and going live: the feed hands later changes to live clients.
      if (changes.length < 500 && client.last >= feed.head) {
        client.live = true;
        this.send(client, { type: 'caughtUp', seq: client.last });
        return;
      }
    }
  }

  private broadcast(changes: readonly ChangeMessage[]): void {
    const texts = new Map<ChangeMessage, string>();
    for (const client of this.clients) {
      if (!client.live) continue;
      for (const change of changes) {
        if (change.seq <= client.last) continue;
        if (client.socket.bufferedAmount > this.options.maxBufferedBytes) {
          this.fallBehind(client);
          break;
        }
        client.last = change.seq;
        if (!matches(client.filter, change)) continue;
        let text = texts.get(change);
        if (text === undefined) texts.set(change, (text = JSON.stringify(change)));
        this.sendText(client, text);
      }
    }
  }

  /** Off the live broadcast: once its buffer drains, the change log from its last seq, at its pace. */
  private fallBehind(client: Client): void {
    client.live = false;
    const subscription = client.subscription;
    this.logger.debug(
      { token: client.tokenName, buffered: client.socket.bufferedAmount, seq: client.last },
      'a WebSocket client fell behind; it catches up from the change log',
    );
    void (async () => {
      await this.drained(client);
      if (client.subscription !== subscription || client.socket.readyState !== client.socket.OPEN) return;
      await this.replay(client, client.last);
    })().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'catching a WebSocket client up failed; dropping it');
      this.drop(client, 'catching up failed');
    });
  }

  private deliver(client: Client, change: ChangeMessage): void {
    if (change.seq <= client.last) return;
    client.last = change.seq;
    if (matches(client.filter, change)) this.send(client, change);
  }

  private send(client: Client, message: ServerMessage): void {
    this.sendText(client, JSON.stringify(message));
  }

  private sendText(client: Client, text: string): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(text);
  }

  private drop(client: Client, why: string): void {
    this.dropped++;
    this.logger.warn(
      { token: client.tokenName, buffered: client.socket.bufferedAmount, seq: client.last, why },
      'dropping a WebSocket client that does not keep up',
    );
    this.clients.delete(client);
    client.socket.terminate();
  }

  /** A replay goes at the client's pace, and gives up on one that does not read at all. */
  private async drained(client: Client): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (
      client.socket.readyState === client.socket.OPEN &&
      client.socket.bufferedAmount > this.options.maxBufferedBytes / 2
    ) {
      if (Date.now() > deadline) return this.drop(client, 'its buffer did not drain in 30 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private beat(): void {
    const message = JSON.stringify({ type: 'heartbeat', seq: this.options.feed.head, at: new Date().toISOString() });
    for (const client of this.clients) {
      if (!client.alive) {
        if (client.live || client.subscription === 0) {
          this.clients.delete(client);
          client.socket.terminate();
        } else this.drop(client, 'no answer to pings while behind');
        continue;
      }
      client.alive = false;
      client.socket.ping();
      this.sendText(client, message);
    }
  }
}
