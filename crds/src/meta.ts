// Shapes shared by every nightshift.dev kind: object metadata as the API
// server returns it, and the standard Condition (metav1.Condition).
import { z } from 'zod';

export const GROUP = 'nightshift.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** A CamelCase word a script can match, as Kubernetes requires for reasons. */
const reasonPattern = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

export const conditionSchema = z.object({
  type: z.string().min(1).max(316).meta({ description: 'Type of condition in CamelCase, e.g. Ready.' }),
  status: z.enum(['True', 'False', 'Unknown']).meta({ description: 'True, False or Unknown.' }),
  reason: z.string().min(1).max(1024).regex(reasonPattern).meta({
    description: 'A CamelCase word a script can match: why the condition last changed.',
  }),
  message: z.string().max(32768).default('').meta({ description: 'Human-readable detail.' }),
  lastTransitionTime: z.iso.datetime().meta({ description: 'When the status last changed.' }),
  observedGeneration: z
    .int()
    .min(0)
    .optional()
    .meta({ description: 'The spec generation the condition was set from.' }),
});
export type Condition = z.infer<typeof conditionSchema>;

export const conditionsSchema = z.array(conditionSchema).meta({
  description: 'The latest observations of the object, one per type (kubectl describe shows them).',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
});

/** Metadata as the API server returns it; only the fields Nightshift reads are typed. */
export const objectMetaSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.int().optional(),
  creationTimestamp: z.union([z.string(), z.date()]).optional(),
  deletionTimestamp: z.union([z.string(), z.date()]).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
});

export const secretKeyRefSchema = z.object({
  name: z.string().min(1).meta({ description: 'Name of a Secret in the same namespace.' }),
  key: z.string().min(1).optional().meta({ description: 'Key in the Secret; each consumer documents its default.' }),
});

export const moneySchema = (description: string) => z.number().meta({ description: `${description} (US dollars).` });

/** A validation the API server evaluates (CEL), with the message a user sees. */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}
export const cel = (...rules: CelRule[]) => ({ 'x-kubernetes-validations': rules });
