// The OpenAPI 3.1 document, generated from the route table and its zod
// schemas by zod-openapi: what the server validates is what it documents.
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE } from './problem.ts';
import { COMMON_ERRORS, type Route } from './route.ts';
import { changeMessageSchema, clientMessageSchema, problemSchema, serverMessageSchema } from './schemas.ts';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: the problem names each field',
  401: 'No valid bearer token',
  403: 'The token may not do this (a read-only token), or the cluster refused the dashboard',
  404: 'No such object (or its namespace is not served here)',
  409: 'The object changed since the resourceVersion given, or the control does not apply to it now',
  422: 'The API server refused the change (its validation)',
  426: 'This path is a WebSocket',
  429: 'Too many failed logins from this address',
  500: 'The server failed (details in its log)',
  502: 'The Kubernetes API failed',
};

export const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

export function openApiDocument(routes: readonly Route[], version: string) {
  const paths: ZodOpenApiPathsObject = {};
  for (const r of routes) {
    const errors = [...new Set([...COMMON_ERRORS, ...(r.errors ?? [])])].sort();
    const operation: ZodOpenApiOperationObject = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      security: [{ bearer: [] }],
      requestParams: {
        ...(r.params ? { path: r.params as z.ZodObject } : {}),
        ...(r.query ? { query: r.query as z.ZodObject } : {}),
      },
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } } : {}),
      responses: {
        [String(r.status ?? 200)]: { description: 'OK', content: { 'application/json': { schema: r.response } } },
        ...Object.fromEntries(
          errors.map((status) => [
            String(status),
            {
              description: ERROR_DESCRIPTIONS[status] ?? 'Error',
              content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
            },
          ]),
        ),
      },
    };
    const path = openApiPath(r.path);
    paths[path] = { ...paths[path], [r.method]: operation };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Nightshift dashboard API',
      version,
      description:
        'REST over the cluster and the records, and the WebSocket /api/events (subprotocols `nightshift.v1` and `nightshift.bearer.<token>`; messages: components ClientMessage and ServerMessage). Every control is a spec patch at the resourceVersion given.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ClientMessage: clientMessageSchema,
        ServerMessage: serverMessageSchema,
        ChangeMessage: changeMessageSchema,
      },
    },
    security: [{ bearer: [] }],
    paths,
  });
}
