// Prometheus metrics of the machinery, created once per registry and shared by
// every controller, queue and informer that reports to it (labels tell them
// apart). Names follow controller-runtime's, under a nightshift_ prefix.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface MachineryMetrics {
  reconcileTotal: Counter<'controller' | 'result'>;
  reconcileErrors: Counter<'controller'>;
  reconcileDuration: Histogram<'controller'>;
  queueDepth: Gauge<'name'>;
  queueRetries: Counter<'name'>;
  urgentEnqueues: Counter<'controller'>;
  informerRestarts: Counter<'resource'>;
  isLeader: Gauge<'lease'>;
}

const byRegistry = new WeakMap<Registry, MachineryMetrics>();

export function machineryMetrics(registry: Registry): MachineryMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    const registers = [registry];
    metrics = {
      reconcileTotal: new Counter({
        name: 'nightshift_controller_reconcile_total',
        help: 'Reconciles per controller and result (success, requeue_after, error).',
        labelNames: ['controller', 'result'],
        registers,
      }),
      reconcileErrors: new Counter({
        name: 'nightshift_controller_reconcile_errors_total',
        help: 'Reconciles that failed and were retried with backoff.',
        labelNames: ['controller'],
        registers,
      }),
      reconcileDuration: new Histogram({
        name: 'nightshift_controller_reconcile_duration_seconds',
        help: 'How long one reconcile took.',
        labelNames: ['controller'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        registers,
      }),
      queueDepth: new Gauge({
        name: 'nightshift_workqueue_depth',
        help: 'Keys ready and waiting for a worker.',
        labelNames: ['name'],
        registers,
      }),
      queueRetries: new Counter({
        name: 'nightshift_workqueue_retries_total',
        help: 'Keys put back with backoff after a failure.',
        labelNames: ['name'],
        registers,
      }),
      urgentEnqueues: new Counter({
        name: 'nightshift_workqueue_urgent_adds_total',
        help: 'Events put in the urgent lane (controls that must not wait behind a backlog).',
        labelNames: ['controller'],
        registers,
      }),
      informerRestarts: new Counter({
        name: 'nightshift_informer_restarts_total',
        help: 'Times an informer was restarted after an error or a silent watch.',
        labelNames: ['resource'],
        registers,
      }),
      isLeader: new Gauge({
        name: 'nightshift_leader_election_is_leader',
        help: '1 while this replica holds the lease.',
        labelNames: ['lease'],
        registers,
      }),
    };
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
