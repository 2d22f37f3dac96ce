// A route of the API as data: method, path, who may call it, the zod schemas
// of its input and output, and its handler. app.ts serves the table,
// openapi.ts describes it, and the auth test walks it.
import type { z } from 'zod';
import type { TokenScope } from '@nightshift/crds/contract';
import type { TokenIdentity } from '../auth/tokens.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDefinition<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> {
  operationId: string;
  method: Method;
  /** Express syntax: /api/stories/:namespace/:name */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** read: any token; write: only write tokens (controls). */
  scope: TokenScope;
  params?: P;
  query?: Q;
  body?: B;
  status?: 200 | 201;
  response: R;
  /** Error statuses beyond those every route has (400, 401, 403, 429, 500). */
  errors?: number[];
  handle(input: {
    params: z.output<P>;
    query: z.output<Q>;
    body: z.output<B>;
    identity: TokenIdentity;
  }): Promise<z.input<R>>;
}

export type Route = RouteDefinition<z.ZodType, z.ZodType, z.ZodType, z.ZodType>;

/** Keeps the types of one route's schemas and handler together. */
export function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  definition: RouteDefinition<P, Q, B, R>,
): Route {
  return definition as unknown as Route;
}

/** Errors every authenticated route can answer. */
export const COMMON_ERRORS = [400, 401, 403, 429, 500];
