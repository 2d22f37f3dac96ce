// GitHub's REST description (from @octokit/openapi, the one Octokit itself is
// generated from), used by the forge stand-in to check every API request the
// way GitHub would — path, method, parameters, required body fields and their
// types — and to check its own answers against the documented response shape.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface Schema {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  enum?: Json[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  [key: string]: unknown;
}
interface Parameter {
  $ref?: string;
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: Schema; examples?: unknown }> }>;
}
interface Document {
  info: { version: string; title: string };
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
}

export interface MatchedOperation {
  operationId: string;
  pathTemplate: string;
  pathParams: Record<string, string>;
  operation: Operation;
}

/** The newest GitHub Enterprise Server description shipped in @octokit/openapi (the forge serves /api/v3). */
export function defaultDescriptionFile(): string {
  const dir = join(dirname(createRequire(import.meta.url).resolve('@octokit/openapi/package.json')), 'generated');
  const versions = readdirSync(dir)
    .map((f) => /^ghes-(\d+)\.(\d+)\.json$/.exec(f))
    .filter((m) => m !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]) || Number(b[2]) - Number(a[2]));
  if (versions.length === 0) throw new Error(`no ghes-*.json description in ${dir}`);
  return join(dir, versions[0]![0]);
}

export class GitHubDescription {
  readonly doc: Document;
  readonly version: string;
  private readonly routes: { template: string; regex: RegExp; names: string[]; literals: number }[];

  constructor(file = defaultDescriptionFile()) {
    this.doc = JSON.parse(readFileSync(file, 'utf8')) as Document;
    this.version = `${this.doc.info.title} ${this.doc.info.version}`;
    this.routes = Object.keys(this.doc.paths)
      .map((template) => {
        const names: string[] = [];
        const pattern = template
          .split('/')
          .map((segment) =>
            segment.replace(/\{([^}]+)\}|[^{]+/g, (part, name: string | undefined) => {
              if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
              names.push(name);
              return '([^/]+)';
            }),
          )
          .join('/');
        const literals = template.split('/').filter((s) => s && !s.includes('{')).length;
        return { template, regex: new RegExp(`^${pattern}$`), names, literals };
      })
      // A literal segment beats a parameter: /repos/{owner}/{repo}/pulls before /repos/{owner}/{repo}/{x}.
      .sort((a, b) => b.literals - a.literals);
  }

  /** The operation for a method and path (without the /api/v3 prefix); undefined when GitHub has none. */
  match(method: string, path: string): MatchedOperation | undefined {
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      const operation = this.doc.paths[route.template]![method.toLowerCase()];
      if (!operation) continue;
      const pathParams: Record<string, string> = {};
      route.names.forEach((name, i) => (pathParams[name] = decodeURIComponent(m[i + 1]!)));
      return { operationId: operation.operationId, pathTemplate: route.template, pathParams, operation };
    }
    return undefined;
  }

  resolve<T>(node: T): T {
    let current = node as { $ref?: string };
    const seen = new Set<string>();
    while (current && typeof current === 'object' && typeof current.$ref === 'string') {
      if (seen.has(current.$ref)) throw new Error(`circular $ref ${current.$ref}`);
      seen.add(current.$ref);
      let target: unknown = this.doc;
      for (const key of current.$ref.replace(/^#\//, '').split('/')) {
        target = (target as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
      }
      if (target === undefined) throw new Error(`unresolvable $ref ${current.$ref}`);
      current = target as { $ref?: string };
    }
    return current as T;
  }

  /** Problems with a request's parameters and body, worded like GitHub's 422 messages; empty when valid. */
  checkRequest(match: MatchedOperation, query: URLSearchParams, body: unknown): string[] {
    const problems: string[] = [];
    for (const raw of match.operation.parameters ?? []) {
      const param = this.resolve(raw);
      if (param.in !== 'path' && param.in !== 'query') continue;
      const value = param.in === 'path' ? match.pathParams[param.name] : (query.get(param.name) ?? undefined);
      if (value === undefined) {
        if (param.required) problems.push(`"${param.name}" wasn't supplied.`);
        continue;
      }
      if (param.schema) {
        for (const p of this.validate(coerceParameter(value, this.resolve(param.schema)), param.schema, param.name)) {
          problems.push(p);
        }
      }
    }
    const requestBody = match.operation.requestBody;
    const schema = requestBody?.content?.['application/json']?.schema;
    if (body === undefined) {
      if (requestBody?.required) problems.push('Request body is required.');
    } else if (schema) {
      problems.push(...this.validate(body, schema, ''));
    }
    return problems;
  }

  /** The documented JSON schema of a response, or undefined when none is documented. */
  responseSchema(match: MatchedOperation, status: number): Schema | undefined {
    const response = match.operation.responses[String(status)];
    if (!response) return undefined;
    return this.resolve(response).content?.['application/json']?.schema;
  }

  example(name: string): unknown {
    const example = this.doc.components.examples?.[name] as { value?: unknown } | undefined;
    if (!example?.value) throw new Error(`no example ${name} in ${this.version}`);
    return structuredClone(example.value);
  }

  /** A minimal JSON Schema (OpenAPI 3.0 dialect) check: types, nullability, enums, required, nesting. */
  validate(value: unknown, rawSchema: Schema, path: string): string[] {
    const schema = this.resolve(rawSchema);
    const at = path ? `'${path}'` : 'the body';
    if (schema.allOf) return schema.allOf.flatMap((s) => this.validate(value, s, path));
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives) {
      if (value === null && schema.nullable) return [];
      const results = alternatives.map((s) => this.validate(value, s, path));
      return results.some((r) => r.length === 0)
        ? []
        : [`For ${at}, ${describe(value)} matches none of the allowed schemas.`];
    }
    if (value === null) {
      const types = [schema.type ?? []].flat();
      return schema.nullable || types.includes('null') || schema.type === undefined
        ? []
        : [`For ${at}, nil is not allowed.`];
    }
    const types = [schema.type ?? []].flat().filter((t) => t !== 'null');
    if (types.length > 0 && !types.some((t) => hasType(value, t))) {
      return [
        `For ${at}, ${describe(value)} is not ${types.map((t) => `a${/^[aeiou]/.test(t) ? 'n' : ''} ${t}`).join(' or ')}.`,
      ];
    }
    if (schema.enum && !schema.enum.some((e) => e === value)) {
      return [
        `For ${at}, ${describe(value)} is not a member of [${schema.enum.map((e) => JSON.stringify(e)).join(', ')}].`,
      ];
    }
    const problems: string[] = [];
    if (isObject(value)) {
      for (const name of schema.required ?? []) {
        if (!(name in value)) problems.push(`"${name}" wasn't supplied${path ? ` in '${path}'` : ''}.`);
      }
      for (const [name, propertySchema] of Object.entries(schema.properties ?? {})) {
        if (name in value)
          problems.push(...this.validate(value[name], propertySchema, path ? `${path}/${name}` : name));
      }
    } else if (Array.isArray(value) && schema.items) {
      value.forEach((item, i) =>
        problems.push(...this.validate(item, schema.items!, path ? `${path}/${i}` : String(i))),
      );
    }
    return problems;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return typeof value === type;
  }
}

function describe(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 80) ?? String(value);
}

/** Query and path parameters arrive as strings; GitHub reads them by their declared type. */
function coerceParameter(value: string, schema: Schema): unknown {
  const type = [schema.type ?? []].flat()[0];
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}
