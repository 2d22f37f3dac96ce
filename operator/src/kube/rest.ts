// A small JSON REST client over the kubeconfig's credentials. The generated
// client-node APIs deserialise core kinds into classes (timestamps become
// Date) while watches deliver plain JSON; the machinery works on plain JSON
// throughout so an object looks the same whether it came from a list, a
// watch or a patch. Errors are client-node's ApiException, so callers test
// `err.code` the same way for both clients.
import {
  ApiException,
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  PatchStrategy,
  RequestContext,
  type KubeConfig,
} from '@kubernetes/client-node';

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | undefined>;
  /** Aborts a request that takes longer; the default suits everything but watches. */
  timeoutMs?: number;
}

export type JsonPatchOperation =
  { op: 'add' | 'replace' | 'test'; path: string; value: unknown } | { op: 'remove'; path: string };

export interface RestClientOptions {
  /** Recorded in managedFields for our writes. */
  fieldManager?: string;
  timeoutMs?: number;
}

export class RestClient {
  readonly kc: KubeConfig;
  readonly fieldManager: string;
  private readonly timeoutMs: number;
  private readonly http = new IsomorphicFetchHttpLibrary();

  constructor(kc: KubeConfig, { fieldManager = 'nightshift-operator', timeoutMs = 30_000 }: RestClientOptions = {}) {
    this.kc = kc;
    this.fieldManager = fieldManager;
    this.timeoutMs = timeoutMs;
  }

  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const context = new RequestContext(cluster.server + path, method);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) context.setQueryParam(name, value);
    }
    context.setHeaderParam('Accept', 'application/json');
    if (options.body !== undefined) {
      context.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      context.setBody(JSON.stringify(options.body));
    }
    context.setSignal(AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs));
    await this.kc.applySecurityAuthentication(context);
    const response = await this.http.send(context).toPromise();
    const text = await response.body.text();
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
      const error = new ApiException(response.httpStatusCode, '', text, response.headers);
      // ApiException's own message carries the whole body and every header; one line reads better in errors.
      error.message = `${method} ${path}: ${response.httpStatusCode} ${statusMessage(text)}`;
      throw error;
    }
    return JSON.parse(text) as T;
  }

  get<T>(path: string, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>(HttpMethod.GET, path, { query });
  }

  /** JSON merge patch (RFC 7386): absent fields stay, null deletes, arrays are replaced whole. */
  mergePatch<T>(path: string, patch: unknown): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, path, {
      body: patch,
      contentType: PatchStrategy.MergePatch,
      query: { fieldManager: this.fieldManager },
    });
  }

  /** JSON patch (RFC 6902); a failing `test` operation rejects the whole patch with 422. */
  jsonPatch<T>(path: string, operations: JsonPatchOperation[]): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, path, {
      body: operations,
      contentType: PatchStrategy.JsonPatch,
      query: { fieldManager: this.fieldManager },
    });
  }
}

function statusMessage(text: string): string {
  try {
    const status = JSON.parse(text) as { reason?: string; message?: string };
    return [status.reason, status.message].filter(Boolean).join(': ') || text;
  } catch {
    return text.slice(0, 500);
  }
}

/** The HTTP status of a failed API call from either client, or undefined for other errors. */
export function statusCode(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  const code = (error as { code?: unknown; statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

export const isNotFound = (error: unknown): boolean => statusCode(error) === 404;
export const isConflict = (error: unknown): boolean => statusCode(error) === 409;
