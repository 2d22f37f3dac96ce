// Prometheus metrics of the operator's domain (served on /metrics beside the
// machinery's reconcile, queue, informer and leader metrics from kube/metrics.ts).
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

export interface OperatorMetrics {
  registry: Registry;
  podsCreated: Counter;
  transitions: Counter<'reason'>;
  queueAdmissions: Counter;
  queueDecisionCpuSeconds: Counter;
  stuckRestarts: Counter;
  slowSteps: Counter;
}

export function createMetrics(): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'nightshift_operator_' });
  return {
    registry,
    podsCreated: new Counter({
      name: 'nightshift_story_pods_created_total',
      help: 'Story pods created',
      registers: [registry],
    }),
    transitions: new Counter({
      name: 'nightshift_storyrun_transitions_total',
      help: 'StoryRun transitions by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    queueAdmissions: new Counter({
      name: 'nightshift_workqueue_admissions_total',
      help: 'Stories admitted by WorkQueues (claimed in work_queue)',
      registers: [registry],
    }),
    queueDecisionCpuSeconds: new Counter({
      name: 'nightshift_workqueue_decision_cpu_seconds_total',
      help: 'CPU time (user + system) of WorkQueue admission decisions: the snapshot from the caches and admitNext, without the I/O',
      registers: [registry],
    }),
    stuckRestarts: new Counter({
      name: 'nightshift_health_stuck_restarts_total',
      help: 'Story pods restarted by the health monitor because their runner stopped heartbeating',
      registers: [registry],
    }),
    slowSteps: new Counter({
      name: 'nightshift_health_slow_steps_total',
      help: 'Steps the health monitor found slow (runner alive, no step change)',
      registers: [registry],
    }),
  };
}
