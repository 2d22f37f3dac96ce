// Building blocks of the API's schemas: times, names, resource versions,
// problems, path parameters and pages.
import { z } from 'zod';

export const time = z.iso.datetime({ offset: true });
export const usd = z.number();
export const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name (lower case, digits and -)');
export const objectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name (lower case, digits, - and .)');
export const resourceVersionSchema = z.string().min(1).max(64).meta({
  description:
    'The metadata.resourceVersion the edit is based on; an edit of an object that changed since answers 409 (read it again and retry).',
});

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'Each invalid field, named by where it is (body.resourceVersion, query.limit).' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json).' });
export type Problem = z.infer<typeof problemSchema>;

export const namespacedParams = z.object({
  namespace: dnsLabel.meta({ param: { description: 'The namespace of the object.' } }),
  name: objectName.meta({ param: { description: 'The name of the object.' } }),
});
export type NamespacedParams = z.infer<typeof namespacedParams>;

const limit = z.coerce.number().int().min(1).max(500).default(50).meta({ description: 'Items per page (1..500).' });
const cursor = z.string().max(512).optional().meta({ description: 'The nextCursor of the previous page.' });
export const pageQuery = z.object({ limit, cursor });

export const page = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({ description: 'Pass as cursor for the next page; null on the last.' }),
      seq: z.int().min(0).meta({
        description:
          'The change-log sequence number when this page was read: subscribe to /api/events after it to follow changes.',
      }),
    })
    .meta({ id });

export const listOf = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), seq: z.int().min(0) }).meta({ id });
