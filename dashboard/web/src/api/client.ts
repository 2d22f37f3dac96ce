// The one API client: every response is parsed with the server's own zod
// schemas (`@nightshift/dashboard/api`), so a shape that drifted fails here,
// loudly, instead of somewhere in a component. Errors are the server's RFC
// 9457 problems.
import type { z } from 'zod';
import {
  budgetListSchema,
  budgetViewSchema,
  decideResponse,
  decisionPageSchema,
  problemSchema,
  queueDetailSchema,
  queueListSchema,
  queueViewSchema,
  reviewPageSchema,
  storyDetailSchema,
  storyPageSchema,
  storySummarySchema,
  timelineSchema,
  replaySchema,
  whoamiSchema,
  type DecisionAnswerItem,
  type Problem,
} from '@nightshift/dashboard/api';
import { readToken } from './token.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;
  constructor(status: number, message: string, problem?: Problem) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT';

async function call<T extends z.ZodType>(
  schema: T,
  method: Method,
  path: string,
  body?: unknown,
  token = readToken(),
): Promise<z.infer<T>> {
  const response = await fetch(path, {
    method,
    headers: {
      Accept: 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(response.status, `${method} ${path}: the answer is not JSON (${response.status})`);
  }
  if (!response.ok) {
    const problem = problemSchema.safeParse(json);
    const detail = problem.success ? (problem.data.detail ?? problem.data.title) : `HTTP ${response.status}`;
    throw new ApiError(response.status, detail, problem.success ? problem.data : undefined);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(
      response.status,
      `${method} ${path}: the answer does not match its schema (${issue?.path.join('.')}: ${issue?.message})`,
    );
  }
  return parsed.data;
}

const enc = encodeURIComponent;
const storyPath = (namespace: string, name: string) => `/api/stories/${enc(namespace)}/${enc(name)}`;
const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
};

export const api = {
  whoami: (token?: string) => call(whoamiSchema, 'GET', '/api/whoami', undefined, token ?? readToken()),
  /** Every story, page after page; seq is the first page's, so following the WebSocket from it misses nothing. */
  stories: async (params: { phase?: string; queue?: string } = {}) => {
    const first = await call(storyPageSchema, 'GET', `/api/stories${query({ limit: 500, ...params })}`);
    const items = [...first.items];
    for (let cursor = first.nextCursor; cursor !== null;) {
      const next = await call(storyPageSchema, 'GET', `/api/stories${query({ limit: 500, ...params, cursor })}`);
      items.push(...next.items);
      cursor = next.nextCursor;
    }
    return { items, seq: first.seq, nextCursor: null };
  },
  story: (namespace: string, name: string) => call(storyDetailSchema, 'GET', storyPath(namespace, name)),
  pause: (namespace: string, name: string, resourceVersion: string, mode: 'Graceful' | 'Immediate') =>
    call(storySummarySchema, 'POST', `${storyPath(namespace, name)}/pause`, { resourceVersion, mode }),
  resume: (namespace: string, name: string, resourceVersion: string) =>
    call(storySummarySchema, 'POST', `${storyPath(namespace, name)}/resume`, { resourceVersion }),
  abort: (namespace: string, name: string, resourceVersion: string, keepWork: boolean) =>
    call(storySummarySchema, 'POST', `${storyPath(namespace, name)}/abort`, { resourceVersion, keepWork }),
  reprioritize: (
    namespace: string,
    name: string,
    body: { resourceVersion: string; moveToFront?: boolean; skip?: boolean; position?: number | null },
  ) => call(storySummarySchema, 'POST', `${storyPath(namespace, name)}/priority`, body),
  decisions: (state: 'pending' | 'answered' | 'all' = 'pending') =>
    call(decisionPageSchema, 'GET', `/api/decisions${query({ state, limit: 200 })}`),
  decide: (decisions: DecisionAnswerItem[]) => call(decideResponse, 'POST', '/api/decisions', { decisions }),
  queues: () => call(queueListSchema, 'GET', '/api/queues'),
  queue: (namespace: string, name: string) =>
    call(queueDetailSchema, 'GET', `/api/queues/${enc(namespace)}/${enc(name)}`),
  extendBudget: (
    namespace: string,
    name: string,
    body: { resourceVersion: string; amountUSD: number; period: 'Today' | 'ThisWeek'; reason: string },
  ) =>
    call(budgetViewSchema, 'POST', `/api/budgets/${enc(namespace)}/${enc(name)}/extensions`, {
      ...body,
      confirm: true,
    }),
  pauseQueue: (namespace: string, name: string, resourceVersion: string) =>
    call(queueViewSchema, 'POST', `/api/queues/${enc(namespace)}/${enc(name)}/pause`, { resourceVersion }),
  resumeQueue: (namespace: string, name: string, resourceVersion: string) =>
    call(queueViewSchema, 'POST', `/api/queues/${enc(namespace)}/${enc(name)}/resume`, { resourceVersion }),
  setMaxParallel: (namespace: string, name: string, resourceVersion: string, maxParallel: number) =>
    call(queueViewSchema, 'PATCH', `/api/queues/${enc(namespace)}/${enc(name)}`, { resourceVersion, maxParallel }),
  budgets: () => call(budgetListSchema, 'GET', '/api/budgets'),
  timeline: (hours: number) =>
    call(
      timelineSchema,
      'GET',
      `/api/timeline${query({ from: new Date(Date.now() - hours * 3_600_000).toISOString() })}`,
    ),
  replay: (namespace: string, name: string) => call(replaySchema, 'GET', `${storyPath(namespace, name)}/replay`),
  reviews: () => call(reviewPageSchema, 'GET', `/api/reviews${query({ limit: 200 })}`),
};
