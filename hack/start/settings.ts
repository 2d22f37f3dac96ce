// What `npm start` can be told through the environment, parsed once. The
// defaults are the demo's usual ones; tests set them to run a demo of their
// own beside it. Everything else in the environment (NIGHTSHIFT_NAMESPACES,
// NIGHTSHIFT_LOG_LEVEL, DATABASE_URL, ...) reaches the operator as it is.
import { join } from 'node:path';
import { z } from 'zod';
import { defaultStateDir } from '../../operator/src/config/schema.ts';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const envSchema = z.object({
  /** The local forge; examples/storyrun.yaml names 7080, the demo rewrites it for any other. */
  NIGHTSHIFT_DEMO_FORGE_PORT: port(7080),
  /** The operator's probes and metrics (the operator reads the same variable). */
  NIGHTSHIFT_HTTP_PORT: port(8080),
  /** The dashboard API and its probes (the dashboard reads the same variables). */
  NIGHTSHIFT_DASHBOARD_PORT: port(8090),
  NIGHTSHIFT_DASHBOARD_PROBE_PORT: port(8091),
  /** The embedded Postgres (the operator reads the same variable). */
  NIGHTSHIFT_EMBEDDED_POSTGRES_PORT: port(5433),
  /** The forge's repositories, the embedded Postgres, the operator's and the dashboard's logs, the pid file. */
  NIGHTSHIFT_DEMO_STATE_DIR: z.string().min(1).optional(),
  NIGHTSHIFT_DEMO_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name')
    .default('nightshift-demo'),
  NIGHTSHIFT_RUNNER_IMAGE: z.string().min(1).default('nightshift.local/runner:dev'),
});

export interface DemoSettings {
  forgePort: number;
  httpPort: number;
  dashboardPort: number;
  dashboardProbePort: number;
  postgresPort: number;
  namespace: string;
  runnerImage: string;
  stateDir: string;
  forgeRoot: string;
  postgresDir: string;
  logFile: string;
  dashboardLogFile: string;
  pidFile: string;
}

export function demoSettings(env: NodeJS.ProcessEnv = process.env): DemoSettings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`,
    );
    throw new Error(`bad npm start settings: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const stateDir = e.NIGHTSHIFT_DEMO_STATE_DIR ?? defaultStateDir();
  return {
    forgePort: e.NIGHTSHIFT_DEMO_FORGE_PORT,
    httpPort: e.NIGHTSHIFT_HTTP_PORT,
    dashboardPort: e.NIGHTSHIFT_DASHBOARD_PORT,
    dashboardProbePort: e.NIGHTSHIFT_DASHBOARD_PROBE_PORT,
    postgresPort: e.NIGHTSHIFT_EMBEDDED_POSTGRES_PORT,
    namespace: e.NIGHTSHIFT_DEMO_NAMESPACE,
    runnerImage: e.NIGHTSHIFT_RUNNER_IMAGE,
    stateDir,
    forgeRoot: join(stateDir, 'forge'),
    postgresDir: join(stateDir, 'postgres'),
    logFile: join(stateDir, 'operator.log'),
    dashboardLogFile: join(stateDir, 'dashboard.log'),
    pidFile: join(stateDir, 'operator.pid'),
  };
}
