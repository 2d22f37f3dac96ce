// A loopback stand-in for Slack's incoming webhooks: POST JSON to
// /services/<team>/<channel>/<token>, answered "ok", or the errors Slack gives
// (404 no_service, 400 invalid_payload / invalid_blocks with the problem
// named, 429 rate_limited with Retry-After, 503 while "down", or no listener
// at all). The payload is checked against the Block Kit rules Slack enforces
// for what the notifier sends: block types and their fields, text lengths,
// at most 50 blocks, unique action ids, buttons with a label and a URL.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';

const plainText = (max: number) =>
  z.strictObject({ type: z.literal('plain_text'), text: z.string().min(1).max(max), emoji: z.boolean().optional() });
const mrkdwn = (max: number) =>
  z.strictObject({ type: z.literal('mrkdwn'), text: z.string().min(1).max(max), verbatim: z.boolean().optional() });
const button = z.strictObject({
  type: z.literal('button'),
  text: plainText(75),
  action_id: z.string().min(1).max(255).optional(),
  url: z.url().max(3000).optional(),
  value: z.string().max(2000).optional(),
  style: z.enum(['primary', 'danger']).optional(),
});
const blockId = z.string().max(255).optional();
const block = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('header'), text: plainText(150), block_id: blockId }),
  z
    .strictObject({
      type: z.literal('section'),
      text: z.union([plainText(3000), mrkdwn(3000)]).optional(),
      fields: z
        .array(z.union([plainText(2000), mrkdwn(2000)]))
        .max(10)
        .optional(),
      accessory: button.optional(),
      block_id: blockId,
    })
    .refine((s) => s.text !== undefined || s.fields !== undefined, 'a section needs text or fields'),
  z.strictObject({ type: z.literal('divider'), block_id: blockId }),
  z.strictObject({
    type: z.literal('context'),
    elements: z
      .array(z.union([plainText(2000), mrkdwn(2000)]))
      .min(1)
      .max(10),
    block_id: blockId,
  }),
  z.strictObject({ type: z.literal('actions'), elements: z.array(button).min(1).max(25), block_id: blockId }),
]);
export const slackWebhookPayloadSchema = z
  .object({
    text: z.string().min(1, 'text is the fallback notifications and screen readers show').max(40_000),
    blocks: z.array(block).max(50).optional(),
    username: z.string().optional(),
    icon_emoji: z.string().optional(),
  })
  .superRefine((payload, ctx) => {
    const ids = (payload.blocks ?? []).flatMap((b) =>
      b.type === 'actions' ? b.elements : b.type === 'section' && b.accessory ? [b.accessory] : [],
    );
    const actionIds = ids.flatMap((b) => b.action_id ?? []);
    if (new Set(actionIds).size !== actionIds.length) {
      ctx.addIssue({ code: 'custom', message: 'action_id values must be unique within a message', path: ['blocks'] });
    }
  });
export type SlackWebhookPayload = z.infer<typeof slackWebhookPayloadSchema>;

/** Problems with a payload in Slack's words; empty when Slack would accept it. */
export function blockKitProblems(payload: unknown): string[] {
  const result = slackWebhookPayloadSchema.safeParse(payload);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '<root>'}: ${i.message}`);
}

export interface ReceivedSlackMessage {
  path: string;
  payload: SlackWebhookPayload;
  receivedAt: Date;
}

export interface SlackStandIn {
  port: number;
  /** The webhook URL of a channel (any channel name works). */
  webhookURL(channel?: string): string;
  /** Messages Slack would have posted. */
  messages: ReceivedSlackMessage[];
  /** Requests refused, with why. */
  refused: { status: number; body: string; problems?: string[] }[];
  /** Every nth request (counted from now) is answered 429 with Retry-After. */
  rateLimit(options: { every: number; retryAfterSeconds: number } | undefined): void;
  /** 'unavailable': answer 503; 'unreachable': stop listening (connection refused); undefined: back. */
  outage(kind: 'unavailable' | 'unreachable' | undefined): Promise<void>;
  /** Post each accepted message at once but answer this much later (a slow Slack). */
  delayAnswers(ms: number): void;
  close(): Promise<void>;
}

const TOKEN = /^\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+$/;

export async function startSlackStandIn(options: { port?: number } = {}): Promise<SlackStandIn> {
  const messages: ReceivedSlackMessage[] = [];
  const refused: SlackStandIn['refused'] = [];
  let limit: { every: number; retryAfterSeconds: number; count: number } | undefined;
  let unavailable = false;
  let delayMs = 0;

  const answer = (
    res: ServerResponse,
    status: number,
    body: string,
    headers: Record<string, string> = {},
    problems?: string[],
  ) => {
    if (status !== 200) refused.push({ status, body, ...(problems ? { problems } : {}) });
    res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (unavailable) return answer(res, 503, 'service_unavailable', { connection: 'close' });
    if (req.method !== 'POST') return answer(res, 405, 'invalid_method');
    if (!TOKEN.test(req.url ?? '')) return answer(res, 404, 'no_service');
    if (limit && ++limit.count % limit.every === 0) {
      return answer(res, 429, 'rate_limited', { 'retry-after': String(limit.retryAfterSeconds) });
    }
    if (!/^application\/json/.test(req.headers['content-type'] ?? '')) return answer(res, 400, 'invalid_payload');
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(res, 400, 'invalid_payload');
    }
    const problems = blockKitProblems(payload);
    if (problems.length) return answer(res, 400, 'invalid_blocks', {}, problems);
    messages.push({ path: req.url!, payload: slackWebhookPayloadSchema.parse(payload), receivedAt: new Date() });
    // Posted, but the answer is late (or lost, if the caller gives up or dies meanwhile).
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    answer(res, 200, 'ok');
  };

  const sockets = new Set<Socket>();
  let inFlight = 0;
  let http: ReturnType<typeof createHttpServer> | undefined;
  const listen = async (port: number) => {
    http = createHttpServer((req, res) => {
      inFlight++;
      res.on('close', () => inFlight--);
      handle(req, res).catch((error: Error) => answer(res, 500, error.message));
    });
    http.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      http!.once('error', reject);
      http!.listen(port, '127.0.0.1', () => resolve());
    });
    return (http.address() as { port: number }).port;
  };
  // Shuts down as a server does: no new connections, requests in flight answered, then every socket closed.
  const stop = async () => {
    const server: Server | ReturnType<typeof createHttpServer> | undefined = http;
    http = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    (server as ReturnType<typeof createHttpServer>).closeIdleConnections();
    for (let waited = 0; inFlight > 0 && waited < 30_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  const port = await listen(options.port ?? (await freeLoopbackPort()));

  return {
    port,
    webhookURL: (channel = 'NIGHTSHIFT') =>
      `http://127.0.0.1:${port}/services/T0TEST/B${channel.toUpperCase().replace(/[^A-Z0-9]/g, '')}/standintoken`,
    messages,
    refused,
    rateLimit: (o) => (limit = o && { ...o, count: 0 }),
    outage: async (kind) => {
      unavailable = kind === 'unavailable';
      if (kind === 'unreachable' && http) await stop();
      if (kind !== 'unreachable' && !http) await listen(port);
    },
    delayAnswers: (ms) => (delayMs = ms),
    close: stop,
  };
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
