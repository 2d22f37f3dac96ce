// The operator's configuration: one zod schema, read from a YAML file and
// overridden by environment variables. Nothing else reads process.env.
import { hostname } from 'node:os';
import { z } from 'zod';
import { notificationsSchema } from './notifications.ts';

/** Where local state (the embedded database) lives: the Postgres user cannot enter /root, so root uses /var/lib. */
export function defaultStateDir(): string {
  if (process.getuid?.() === 0) return '/var/lib/nightshift';
  return `${process.env.XDG_DATA_HOME ?? `${process.env.HOME ?? '/tmp'}/.local/share`}/nightshift`;
}

const seconds = (fallback: number) => z.number().int().min(0).default(fallback);
const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/, 'must be a Kubernetes quantity such as 500m or 1Gi');

export const configSchema = z.object({
  identity: z
    .string()
    .min(1)
    .default(`${hostname()}-${process.pid}`)
    .describe('This replica in leader election and records'),
  kubeconfig: z.string().optional().describe('Path to a kubeconfig; in-cluster or ~/.kube/config otherwise'),
  namespaces: z.array(z.string().min(1)).default([]).describe('Namespaces to watch; empty means all'),
  workers: z.number().int().min(1).max(64).default(8),
  resyncSeconds: seconds(60),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  pidFile: z.string().default('/tmp/nightshift-operator.pid'),
  http: z
    .object({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8080),
    })
    .default({ host: '0.0.0.0', port: 8080 }),
  database: z
    .object({
      url: z.string().min(1).optional().describe('postgres://...; unset means the embedded default'),
      embedded: z
        .object({ dataDir: z.string().min(1), port: z.number().int().min(1).max(65535).default(5433) })
        .default({ dataDir: `${defaultStateDir()}/postgres`, port: 5433 }),
    })
    .prefault({}),
  health: z
    .object({
      unreadyAfterSeconds: z
        .number()
        .int()
        .min(1)
        .default(30)
        .describe('/readyz fails once a watch (list or watch of a resource) has failed for this long'),
      exitAfterSeconds: z
        .number()
        .int()
        .min(1)
        .default(300)
        .describe('The process exits once a watch has failed for this long, so it restarts with fresh credentials'),
      checkIntervalSeconds: z
        .number()
        .int()
        .min(1)
        .default(60)
        .describe('How often the health monitor looks at every running story'),
      stuckAfterSeconds: z
        .number()
        .int()
        .min(1)
        .default(600)
        .describe(
          'A running story whose runner has not heartbeat for this long is stuck: its pod is restarted from the checkpoint',
        ),
      slowAfterSeconds: z
        .number()
        .int()
        .min(1)
        .default(1800)
        .describe('A step running this long with the runner alive is slow: a Condition and an Event, nothing stopped'),
    })
    .prefault({})
    .refine((h) => h.exitAfterSeconds > h.unreadyAfterSeconds, {
      message: 'exitAfterSeconds must be more than unreadyAfterSeconds',
      path: ['exitAfterSeconds'],
    }),
  leaderElection: z
    .object({
      enabled: z.boolean().default(true),
      leaseName: z.string().default('nightshift-operator'),
      namespace: z.string().default('default'),
      leaseDurationSeconds: z.number().int().min(2).default(15),
      renewDeadlineSeconds: z.number().int().min(1).default(10),
      retryPeriodSeconds: z.number().int().min(1).default(2),
    })
    .prefault({})
    .refine((l) => l.renewDeadlineSeconds < l.leaseDurationSeconds, {
      message: 'renewDeadlineSeconds must be less than leaseDurationSeconds',
      path: ['renewDeadlineSeconds'],
    }),
  runner: z
    .object({
      image: z.string().min(1).default('ghcr.io/nightshift-dev/runner:0.1.0'),
      imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
      serviceAccountName: z.string().optional(),
      hostNetwork: z.boolean().default(false).describe('Run story pods on the node network (local clusters)'),
      nodeSelector: z.record(z.string(), z.string()).default({}).describe('Node labels story pods must match'),
      env: z
        .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'), z.string())
        .default({})
        .describe('Extra environment for story pods, e.g. NIGHTSHIFT_MODEL_PRICES for private models'),
      pendingTimeoutSeconds: seconds(300).describe(
        'A story pod stuck Pending on a missing Secret or an unpullable image fails after this long',
      ),
      gracefulStopSeconds: seconds(300).describe('How long a graceful pause lets the current step finish'),
      immediateStopSeconds: seconds(1),
      abortStopSeconds: seconds(10).describe("How long an aborted story's pod may take to stop"),
      resources: z
        .object({
          requests: z.record(z.string(), quantity).default({ cpu: '100m', memory: '256Mi' }),
          limits: z.record(z.string(), quantity).default({ memory: '2Gi' }),
        })
        .prefault({}),
      databaseSecret: z
        .object({ name: z.string().min(1).default('nightshift-database'), key: z.string().min(1).default('url') })
        .prefault({}),
      databaseURL: z
        .string()
        .min(1)
        .optional()
        .describe('When set, the operator writes this URL into databaseSecret in each story namespace'),
      dashboardURL: z.string().optional(),
    })
    .prefault({}),
  workspace: z
    .object({
      volume: z.enum(['PersistentVolumeClaim', 'EmptyDir']).default('PersistentVolumeClaim'),
      storageClassName: z.string().optional(),
      size: quantity.default('1Gi'),
      fixPermissions: z
        .boolean()
        .default(false)
        .describe('chown the volume for the runner user in a root init container (provisioners that ignore fsGroup)'),
    })
    .prefault({}),
  retry: z
    .object({ backoffBaseSeconds: z.number().min(0).default(10), backoffMaxSeconds: z.number().min(0).default(300) })
    .prefault({}),
  budget: z
    .object({
      refreshSeconds: z
        .number()
        .min(1)
        .default(15)
        .describe('How often a Budget status is refreshed from the ledger (spend, projections, alerts)'),
      sweepSeconds: z
        .number()
        .min(1)
        .default(30)
        .describe('How often reservations past their TTL are charged at their worst case (unconfirmed)'),
      exhaustedBelowUSD: z
        .number()
        .min(0)
        .default(0.01)
        .describe('A period with less than this left counts as Exceeded: no model call costs less'),
      estimate: z
        .object({
          coldStartP50USD: z.number().min(0).default(1).describe('Estimate of a story with too little history'),
          coldStartP90USD: z.number().min(0).default(5),
          minSamples: z.number().int().min(1).default(3).describe('Finished stories needed to estimate from them'),
          neighbours: z.number().int().min(1).default(20).describe('How many of the most similar ones count'),
        })
        .prefault({}),
    })
    .prefault({}),
  retention: z
    .object({
      podSeconds: seconds(300).describe('Keep a finished story pod this long (for kubectl logs)'),
      volumeSeconds: seconds(0).describe('Keep a finished story worktree volume this long'),
    })
    .prefault({}),
  notifications: notificationsSchema,
});

export type OperatorConfig = z.infer<typeof configSchema>;
