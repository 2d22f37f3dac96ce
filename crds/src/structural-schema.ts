// Turns the JSON Schema zod emits into a Kubernetes structural schema:
// every node typed, no $schema/$ref, no additionalProperties beside
// properties, and no JavaScript-only regex patterns (the API server compiles
// patterns as RE2, and formats already say what a date-time is).
import { z } from 'zod';

export type JsonSchema = { [key: string]: unknown };

const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

export function toStructuralSchema(schema: z.ZodType): JsonSchema {
  const emitted = z.toJSONSchema(schema, {
    io: 'input',
    target: 'openapi-3.0',
    unrepresentable: 'throw',
  }) as JsonSchema;
  delete emitted.$schema;
  return clean(emitted, '');
}

function clean(node: JsonSchema, path: string): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === 'id' || key === '$id') continue;
    if (key === '$ref' || key === '$defs' || key === 'definitions') {
      throw new Error(`structural schema at ${path || '/'}: references are not allowed (inline the schema)`);
    }
    if (key === 'anyOf' || key === 'oneOf' || key === 'allOf' || key === 'not') {
      throw new Error(`structural schema at ${path || '/'}: ${key} is not supported by the CRD generator`);
    }
    out[key] = value;
  }
  if (out.additionalProperties === false) delete out.additionalProperties;
  if (typeof out.format === 'string') delete out.pattern;
  if (out.type === 'integer') {
    if (out.minimum === -SAFE_INTEGER) delete out.minimum;
    if (out.maximum === SAFE_INTEGER) delete out.maximum;
    out.format ??= 'int64';
  }
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(
      Object.entries(out.properties as Record<string, JsonSchema>).map(([name, child]) => [
        name,
        clean(child, `${path}.${name}`),
      ]),
    );
  }
  if (out.items && typeof out.items === 'object') out.items = clean(out.items as JsonSchema, `${path}[]`);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') {
    out.additionalProperties = clean(out.additionalProperties as JsonSchema, `${path}.*`);
  }
  if (out.type === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    throw new Error(`structural schema at ${path || '/'}: every node needs a type`);
  }
  return out;
}
