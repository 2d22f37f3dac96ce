// Prometheus metrics of the operator's domain (served on /metrics beside the
// machinery's reconcile, queue, informer and leader metrics from kube/metrics.ts).
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

export interface OperatorMetrics {
  registry: Registry;
  podsCreated: Counter;
  transitions: Counter<'reason'>;
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
  };
}
