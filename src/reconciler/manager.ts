import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { GROUP, PLURAL, VERSION } from '../api/imagebuild.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { Controller } from '../runtime/controller.js';
import type { EventRecorder } from '../runtime/events.js';
import { Informer } from '../runtime/informer.js';
import { type KubeObject, objectKey } from '../runtime/kube.js';
import type { Metrics } from '../runtime/metrics.js';
import { WorkQueue } from '../runtime/queue.js';
import { defaultControllerRateLimiter } from '../runtime/ratelimit.js';
import { FactCache } from './facts.js';
import { GitSourceAccess } from './git-source.js';
import { HandoffTimer } from './handoff.js';
import { JOB_EVENT_SELECTOR, type JobEventObject, slimJobEvent } from './job-events.js';
import { CHILD_SELECTOR } from './labels.js';
import { buildEventMatters, jobEventMatters, podEventMatters } from './predicates.js';
import { ImageBuildReconciler, type RegistryAccess } from './reconcile.js';
import type { JobSettings } from './resources/job.js';
import { SharedStageWaits } from './shared-stages.js';
import { slimJob, slimPod } from './slim.js';

// Wires the ImageBuild controller: informers on ImageBuilds and on the Jobs
// and pods it owns (label selected), events mapped to ImageBuild keys, a
// work queue and N workers running the reconciler.

export interface ManagerOptions {
  kc: k8s.KubeConfig;
  /** Watch one namespace only; default all. */
  namespace?: string;
  workers: number;
  settings: JobSettings;
  registry: RegistryAccess;
  events: EventRecorder;
  metrics: Metrics;
  log: Logger;
  clock?: Clock;
  /** Where fetched git commits are kept; default <tmpdir>/stapel-git-cache. */
  gitCacheDir?: string;
}

const CONTROLLER = 'imagebuild';

export class ImageBuildManager {
  private readonly builds: Informer<KubeObject>;
  private readonly jobs: Informer<k8s.V1Job & KubeObject>;
  private readonly pods: Informer<k8s.V1Pod & KubeObject>;
  private readonly jobEvents: Informer<JobEventObject>;
  private readonly queue: WorkQueue;
  private readonly controller: Controller;
  private synced = false;

  constructor(private readonly opts: ManagerOptions) {
    const clock = opts.clock ?? systemClock;
    const ns = opts.namespace ? `/namespaces/${opts.namespace}` : '';
    const common = {
      clock,
      log: opts.log,
      onRestart: (path: string) => opts.metrics.informerRestarts.inc({ resource: path }),
    };
    this.builds = new Informer(opts.kc, { ...common, path: `/apis/${GROUP}/${VERSION}${ns}/${PLURAL}` });
    this.jobs = new Informer(opts.kc, {
      ...common,
      path: `/apis/batch/v1${ns}/jobs`,
      labelSelector: CHILD_SELECTOR,
      transform: slimJob,
    });
    this.pods = new Informer(opts.kc, {
      ...common,
      path: `/api/v1${ns}/pods`,
      labelSelector: CHILD_SELECTOR,
      transform: slimPod,
    });
    // FailedCreate Warnings of Jobs (quota, admission): one watch instead of a
    // list call per pod-less Job and pass. No label selects our Jobs' events,
    // so this sees every Job's; they are rare, and only four fields are kept.
    this.jobEvents = new Informer<JobEventObject>(opts.kc, {
      ...common,
      path: `/api/v1${ns}/events`,
      fieldSelector: JOB_EVENT_SELECTOR,
      transform: slimJobEvent,
    });
    this.queue = new WorkQueue(
      clock,
      defaultControllerRateLimiter(clock),
      opts.metrics.queueObserver(CONTROLLER),
    );
    const handoff = new HandoffTimer(() => clock.now());
    const sharedWaits = new SharedStageWaits(() => clock.now());
    const reconciler = new ImageBuildReconciler({
      kc: opts.kc,
      builds: this.builds,
      jobs: this.jobs,
      pods: this.pods,
      jobEvents: this.jobEvents,
      registry: opts.registry,
      facts: new FactCache(() => clock.now()),
      git: new GitSourceAccess({ cacheDir: opts.gitCacheDir ?? join(tmpdir(), 'stapel-git-cache') }),
      events: opts.events,
      metrics: opts.metrics,
      log: opts.log,
      settings: opts.settings,
      clock,
      handoff,
      sharedWaits,
    });
    this.controller = new Controller({
      name: CONTROLLER,
      workers: opts.workers,
      queue: this.queue,
      reconcile: (key) => reconciler.reconcile(key),
      log: opts.log,
      metrics: opts.metrics,
    });
    this.builds.on((e) => {
      if (buildEventMatters(e)) this.queue.add(objectKey(e.obj));
    });
    // A change of a Job or pod also reconciles the builds waiting for that Job's stage (shared-stages.ts).
    const addWaiters = (namespace: string | undefined, jobName: string) => {
      for (const waiter of sharedWaits.waitersOf(`${namespace}/${jobName}`)) this.queue.add(waiter);
    };
    this.jobs.on((e) => {
      // The cache shows the Job now: the claim made before creating it has served.
      if (e.type === 'add') sharedWaits.release(`${e.obj.metadata.namespace}/${e.obj.metadata.name}`);
      const key = ownerKey(e.obj);
      if (!key || !jobEventMatters(e)) return;
      this.queue.add(key);
      addWaiters(e.obj.metadata.namespace, e.obj.metadata.name);
    });
    this.jobEvents.on((e) => {
      if (e.type === 'delete') return;
      const { namespace = '', name = '' } = e.obj.involvedObject;
      const job = this.jobs.get(namespace, name);
      const key = job && ownerKey(job);
      if (key) this.queue.add(key);
    });
    this.pods.on((e) => {
      const jobName = e.obj.metadata.labels?.['batch.kubernetes.io/job-name'];
      const job = jobName ? this.jobs.get(e.obj.metadata.namespace ?? '', jobName) : undefined;
      const key = job && ownerKey(job);
      if (!key || !podEventMatters(e)) return;
      // A pod that just finished: its pass may start the next stage, ahead of other waiting passes.
      const finished = isFinishedPod(e.obj) && !(e.old && isFinishedPod(e.old));
      if (finished) handoff.podFinished(key);
      this.queue.add(key, finished);
      if (finished && job) addWaiters(job.metadata.namespace, job.metadata.name);
    });
  }

  /** True once every cache has listed once. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Starts the caches, then the workers; resolves when the workers stop. */
  async run(): Promise<void> {
    // Children first, so the first reconcile of each build sees its Jobs.
    // Job events are not waited for: an operator whose Role lacks them still
    // runs (their warnings reach status once the watch works).
    void this.jobEvents.start();
    await Promise.all([this.jobs.start(), this.pods.start()]);
    await this.builds.start();
    this.synced = true;
    this.opts.log.info({ namespace: this.opts.namespace ?? '(all)' }, 'caches synced; reconciling');
    await this.controller.run();
  }

  /** Stops handing out keys and the caches; in-flight reconciles finish. */
  stop(): void {
    this.queue.shutDown();
    this.builds.stop();
    this.jobs.stop();
    this.pods.stop();
    this.jobEvents.stop();
  }
}

function ownerKey(obj: KubeObject): string | undefined {
  const owner = obj.metadata.ownerReferences?.find((r) => r.kind === 'ImageBuild' && r.controller);
  return owner ? `${obj.metadata.namespace}/${owner.name}` : undefined;
}

function isFinishedPod(pod: k8s.V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}
