// The metering proxy: a loopback HTTP server inside the pod that speaks the
// Anthropic Messages and OpenAI Chat Completions protocols, so an external
// coding agent (the cli backend) is metered call by call like our own:
// each request's worst case (from its size and max_tokens, which the proxy
// sets when missing) is reserved through the meter before it is forwarded,
// and settled from the response's usage. The provider credentials live only
// here: the agent gets a one-run token that is good for this proxy alone.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AgentSpec } from '../agents/agent.ts';
import { BudgetExceeded } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { CostMeter } from './meter.ts';
import {
  errorBody,
  meteredRequest,
  protocolOf,
  ProxyRequestError,
  usageOfResponse,
  type Protocol,
} from './protocols.ts';

const DEFAULT_UPSTREAMS: Record<Protocol, string> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
};
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
const MAX_UPSTREAM_TIMEOUT_MS = 10 * 60 * 1000;
const FORWARDED_HEADERS = ['anthropic-version', 'anthropic-beta', 'openai-organization', 'openai-project'];

export interface MeteringProxyOptions {
  meter: CostMeter;
  agent: AgentSpec;
  /** The provider key (spec.agent.credentialsSecretRef); never handed to the agent. */
  apiKey: string | undefined;
  log: Logger;
  step: string;
  /** How long a call's reservation lives (NIGHTSHIFT_RESERVATION_TTL_SECONDS); a call is cut well before it. */
  ttlSeconds: number;
}

export interface MeteringProxy {
  /** ANTHROPIC_BASE_URL for the agent (its SDK appends /v1/messages). */
  anthropicBaseURL: string;
  /** OPENAI_BASE_URL for the agent (ends in /v1). */
  openaiBaseURL: string;
  /** The only key the agent gets. */
  token: string;
  /** The first refusal for budget reasons: the attempt ends Paused/BudgetExceeded with it. */
  refusal(): BudgetExceeded | undefined;
  close(): Promise<void>;
}

/** Where a protocol's calls go: spec.agent.baseURL for the agent's own provider, else the provider's public API. */
export function upstreamOf(protocol: Protocol, agent: AgentSpec): string {
  const provider = agent.provider ?? (agent.model?.startsWith('claude') ? 'anthropic' : 'openai');
  const base = provider === protocol && agent.baseURL ? agent.baseURL : DEFAULT_UPSTREAMS[protocol];
  return base.replace(/\/+$/, '');
}

export async function startMeteringProxy(options: MeteringProxyOptions): Promise<MeteringProxy> {
  // Shorter than the reservation's TTL, so a live call's reservation never expires under it.
  const upstreamTimeoutMs = Math.min(MAX_UPSTREAM_TIMEOUT_MS, options.ttlSeconds * 800);
  const token = `nsp-${randomBytes(24).toString('hex')}`;
  let refusal: BudgetExceeded | undefined;
  /** Calls being metered: close() waits for them, so none is left reserved when the run goes on. */
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://proxy.invalid').pathname.replace(/^\/v1\/v1\//, '/v1/');
    const protocol = protocolOf(req.method, path);
    if (!protocol) {
      send(res, 404, errorBody('openai', 404, `the Nightshift metering proxy has no route ${req.method} ${path}`));
      req.resume();
      return;
    }
    const handled = handle(protocol, req, res).catch((error: Error) => {
      options.log.error({ err: error }, 'metering proxy failed a request');
      const status = error instanceof ProxyRequestError ? error.status : 502;
      if (!res.headersSent)
        send(res, status, errorBody(protocol, status, `nightshift metering proxy: ${error.message}`));
      else res.destroy();
    });
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  });

  async function handle(protocol: Protocol, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (!authorized(protocol, req, token)) {
      send(res, 401, errorBody(protocol, 401, 'invalid api key: use the key the Nightshift runner gave this agent'));
      return;
    }
    let request;
    try {
      request = meteredRequest(protocol, raw, options.agent.maxTokensPerCall);
    } catch (error) {
      if (!(error instanceof ProxyRequestError)) throw error;
      send(res, error.status, errorBody(protocol, error.status, error.message));
      return;
    }
    const body = JSON.stringify(request.body);
    let upstream: { status: number; text: string; contentType: string } | undefined;
    try {
      await options.meter.call(
        {
          step: options.step,
          purpose: `cli agent call (${protocol})`,
          model: request.model,
          provider: protocol,
          requestBytes: Buffer.byteLength(body),
          maxTokens: request.maxTokens,
          ttlSeconds: options.ttlSeconds,
        },
        async () => {
          upstream = await forward(protocol, req, body);
          if (upstream.status < 200 || upstream.status >= 300) {
            // Providers do not bill a refused request: release what was held.
            return { value: undefined, usage: undefined, billed: false };
          }
          let parsed: unknown;
          try {
            parsed = JSON.parse(upstream.text);
          } catch {
            parsed = undefined;
          }
          return { value: undefined, usage: usageOfResponse(protocol, parsed) };
        },
      );
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
      refusal ??= error;
      const status = error.detail.scope === 'unpriced' ? 400 : 402;
      send(res, status, errorBody(protocol, status, `nightshift: ${error.message}`));
      return;
    }
    res.writeHead(upstream!.status, { 'Content-Type': upstream!.contentType }).end(upstream!.text);
  }

  async function forward(protocol: Protocol, req: IncomingMessage, body: string) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const name of FORWARDED_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    if (options.apiKey) {
      if (protocol === 'anthropic') headers['x-api-key'] = options.apiKey;
      else headers.authorization = `Bearer ${options.apiKey}`;
    }
    const base = upstreamOf(protocol, options.agent);
    const path = protocol === 'anthropic' ? '/v1/messages' : '/chat/completions';
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(upstreamTimeoutMs),
    });
    return {
      status: response.status,
      text: await response.text(),
      contentType: response.headers.get('content-type') ?? 'application/json',
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  options.log.info({ port }, 'metering proxy listening');
  return {
    anthropicBaseURL: base,
    openaiBaseURL: `${base}/v1`,
    token,
    refusal: () => refusal,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await closed;
    },
  };
}

function authorized(protocol: Protocol, req: IncomingMessage, token: string): boolean {
  const given =
    protocol === 'anthropic' && typeof req.headers['x-api-key'] === 'string'
      ? req.headers['x-api-key']
      : /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!given || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new ProxyRequestError(`the request is larger than ${MAX_REQUEST_BYTES} bytes`, 413));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}
