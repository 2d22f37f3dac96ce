// Prometheus metrics of the operator (served on /metrics).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface OperatorMetrics {
  registry: Registry;
  isLeader: Gauge;
  storyRunsByPhase: Gauge<'phase'>;
  podsCreated: Counter;
  transitions: Counter<'reason'>;
  reconcileDuration: Histogram<'controller' | 'result'>;
}

export function createMetrics(): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'nightshift_operator_' });
  return {
    registry,
    isLeader: new Gauge({ name: 'nightshift_operator_is_leader', help: '1 when this replica holds the leader Lease', registers: [registry] }),
    storyRunsByPhase: new Gauge({
      name: 'nightshift_storyruns',
      help: 'StoryRuns by phase, as last observed',
      labelNames: ['phase'],
      registers: [registry],
    }),
    podsCreated: new Counter({ name: 'nightshift_story_pods_created_total', help: 'Story pods created', registers: [registry] }),
    transitions: new Counter({
      name: 'nightshift_storyrun_transitions_total',
      help: 'StoryRun transitions by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'nightshift_reconcile_duration_seconds',
      help: 'Time spent in one reconcile',
      labelNames: ['controller', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
