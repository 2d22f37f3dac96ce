// RFC 9457 problem details: every error the API answers is one
// application/problem+json body naming what went wrong, and for invalid
// input each field by where it is (body.resourceVersion, query.limit).
import type { z } from 'zod';
import type { Problem } from './schemas.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.status = status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  static invalid(errors: FieldError[]): ApiError {
    return new ApiError(400, errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }

  static fromZod(where: 'body' | 'query' | 'params', error: z.ZodError): ApiError {
    return ApiError.invalid(
      error.issues.map((issue) => ({ field: [where, ...issue.path.map(String)].join('.'), message: issue.message })),
    );
  }

  static notFound(what: string): ApiError {
    return new ApiError(404, `${what} not found`);
  }

  static conflict(detail: string): ApiError {
    return new ApiError(409, detail);
  }

  problem(instance?: string): Problem {
    return problemOf(this.status, this.message, instance, this.errors);
  }
}

export function problemOf(status: number, detail?: string, instance?: string, errors?: FieldError[]): Problem {
  return {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    ...(instance ? { instance } : {}),
    ...(errors?.length ? { errors } : {}),
  };
}
