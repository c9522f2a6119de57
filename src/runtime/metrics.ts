import client from 'prom-client';
import type { QueueObserver } from './queue.js';

// Prometheus metrics. Controller and work queue metrics carry
// controller-runtime's names so existing dashboards work; build metrics are
// ours, prefixed stapel_.

export class Metrics {
  readonly registry = new client.Registry();
  readonly reconcileTotal = new client.Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Reconciles by controller and result.',
    labelNames: ['controller', 'result'],
    registers: [this.registry],
  });
  readonly reconcileErrors = new client.Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Reconciles that returned an error.',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  readonly reconcileTime = new client.Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Duration of reconciles.',
    labelNames: ['controller'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly activeWorkers = new client.Gauge({
    name: 'controller_runtime_active_workers',
    help: 'Workers busy reconciling.',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  readonly queueDepth = new client.Gauge({
    name: 'workqueue_depth',
    help: 'Keys waiting in the work queue.',
    labelNames: ['name'],
    registers: [this.registry],
  });
  readonly queueAdds = new client.Counter({
    name: 'workqueue_adds_total',
    help: 'Adds to the work queue.',
    labelNames: ['name'],
    registers: [this.registry],
  });
  readonly queueRetries = new client.Counter({
    name: 'workqueue_retries_total',
    help: 'Rate-limited re-adds to the work queue.',
    labelNames: ['name'],
    registers: [this.registry],
  });
  readonly queueWait = new client.Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'Time a key waits in the queue.',
    labelNames: ['name'],
    buckets: [0.001, 0.01, 0.1, 1, 10, 60],
    registers: [this.registry],
  });
  readonly leader = new client.Gauge({
    name: 'leader_election_master_status',
    help: '1 while this replica holds the leader lease.',
    labelNames: ['name'],
    registers: [this.registry],
  });
  readonly informerRestarts = new client.Counter({
    name: 'stapel_informer_restarts_total',
    help: 'Watch restarts after errors.',
    labelNames: ['resource'],
    registers: [this.registry],
  });
  readonly builds = new client.Counter({
    name: 'stapel_builds_total',
    help: 'ImageBuild generations finished, by result (Succeeded or a failure reason).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly stages = new client.Counter({
    name: 'stapel_stages_total',
    help: 'Stages finished, by result (built, cache, or a failure reason).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly cacheHits = new client.Counter({
    name: 'stapel_stage_cache_hits_total',
    help: 'Stages found in the registry and not built.',
    registers: [this.registry],
  });
  readonly stageDuration = new client.Histogram({
    name: 'stapel_stage_build_duration_seconds',
    help: 'Wall time of stage Jobs from start to finish.',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });

  readonly stageHandoff = new client.Histogram({
    name: 'stapel_stage_handoff_seconds',
    help: "The operator's own time from a build pod's finish reaching its watch to the next stage Job's create request.",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(withProcessMetrics = true) {
    if (withProcessMetrics) client.collectDefaultMetrics({ register: this.registry });
  }

  queueObserver(name: string): QueueObserver {
    return {
      depth: (n) => this.queueDepth.set({ name }, n),
      added: () => this.queueAdds.inc({ name }),
      retried: () => this.queueRetries.inc({ name }),
      waited: (s) => this.queueWait.observe({ name }, s),
    };
  }
}
