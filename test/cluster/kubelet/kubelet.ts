import {
  type CoreV1Api,
  type KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { nodeLabels } from './node.js';
import { apiTime, isTerminal } from './pod-status.js';
import { type KubeletContext, PodWorker } from './pod-worker.js';
import { isNotFound } from './volumes.js';

/**
 * Watches all pods: binds unscheduled ones to this node (there is no
 * scheduler), runs the ones bound here with a PodWorker each, and finishes
 * deletions (stop with grace, report the final status, then delete with grace
 * 0, as a kubelet does).
 */
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The first nodeSelector entry the node's labels do not satisfy, as `key=value`, or undefined. */
export function unmatchedSelector(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): string | undefined {
  const miss = Object.entries(selector ?? {}).find(([k, v]) => labels[k] !== v);
  return miss ? `${miss[0]}=${miss[1]}` : undefined;
}

export class TestKubelet {
  private readonly workers = new Map<string, PodWorker>();
  private readonly binding = new Set<string>();
  private readonly deleting = new Set<string>();
  private informer?: ReturnType<typeof makeInformer<V1Pod>>;
  private stopped = false;

  constructor(
    private readonly kc: KubeConfig,
    private readonly ctx: KubeletContext,
  ) {}

  get core(): CoreV1Api {
    return this.ctx.core;
  }

  async start(): Promise<void> {
    const informer = makeInformer<V1Pod>(this.kc, '/api/v1/pods', () => this.core.listPodForAllNamespaces());
    informer.on('add', (pod) => this.onPod(pod));
    informer.on('update', (pod) => this.onPod(pod));
    informer.on('delete', (pod) => this.onGone(pod));
    informer.on('error', (err) => {
      if (this.stopped) return;
      this.ctx.log(`pod watch ended (${String(err)}); restarting`);
      setTimeout(() => {
        if (!this.stopped) informer.start().catch((e) => this.ctx.log(`restart failed: ${String(e)}`));
      }, 1000);
    });
    this.informer = informer;
    await informer.start();
  }

  /** Stops watching and stops every running pod (their status stays as last written). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer?.stop();
    await Promise.all([...this.workers.values()].map((w) => w.terminate(2)));
  }

  private onPod(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    if (!uid || this.stopped) return;
    if (!pod.spec?.nodeName) {
      this.bind(pod);
      return;
    }
    if (pod.spec.nodeName !== this.ctx.nodeName) return;
    let worker = this.workers.get(uid);
    if (pod.metadata?.deletionTimestamp) {
      this.finishDeletion(pod, worker);
      return;
    }
    if (!worker && !isTerminal(pod.status?.phase)) {
      worker = new PodWorker(this.ctx, pod);
      this.workers.set(uid, worker);
      this.ctx.log(`${worker.name}: starting`);
    }
  }

  private bind(pod: V1Pod): void {
    const meta = pod.metadata!;
    const scheduler = pod.spec?.schedulerName;
    if (meta.deletionTimestamp || pod.spec?.schedulingGates?.length) return;
    if (scheduler && scheduler !== 'default-scheduler') return;
    if (this.binding.has(meta.uid!)) return;
    this.binding.add(meta.uid!);
    const unmatched = unmatchedSelector(pod.spec?.nodeSelector, nodeLabels(this.ctx.nodeName));
    if (unmatched) {
      // What kube-scheduler reports for a pod no node fits; the pod stays Pending.
      this.ctx.core
        .patchNamespacedPodStatus(
          {
            name: meta.name!,
            namespace: meta.namespace!,
            body: {
              status: {
                conditions: [
                  {
                    type: 'PodScheduled',
                    status: 'False',
                    reason: 'Unschedulable',
                    message: `0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector (${unmatched}).`,
                    lastTransitionTime: apiTime(),
                  },
                ],
              },
            },
          },
          mergePatch,
        )
        .catch(() => {});
      return;
    }
    this.core
      .createNamespacedPodBinding({
        name: meta.name!,
        namespace: meta.namespace!,
        body: {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name: meta.name!, namespace: meta.namespace! },
          target: { apiVersion: 'v1', kind: 'Node', name: this.ctx.nodeName },
        },
      })
      .catch((err: { code?: number; body?: string }) => {
        if (err.code !== 409 && err.code !== 404) {
          this.ctx.log(`${meta.namespace}/${meta.name}: binding failed: ${err.body ?? String(err)}`);
          this.binding.delete(meta.uid!);
        }
      });
  }

  private finishDeletion(pod: V1Pod, worker: PodWorker | undefined): void {
    const meta = pod.metadata!;
    if (this.deleting.has(meta.uid!)) return;
    if (!worker && isTerminal(pod.status?.phase)) return; // the API server removes it once finalizers are gone
    this.deleting.add(meta.uid!);
    const grace = meta.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    this.ctx.log(`${meta.namespace}/${meta.name}: deleted, stopping with ${grace}s grace`);
    const stopped = worker ? worker.terminate(grace) : Promise.resolve();
    stopped
      .then(() =>
        this.core.deleteNamespacedPod({
          name: meta.name!,
          namespace: meta.namespace!,
          // With a body the API server reads the options from it, not from the query.
          body: { gracePeriodSeconds: 0, preconditions: { uid: meta.uid! } },
        }),
      )
      .catch((err: unknown) => {
        if (!isNotFound(err) && (err as { code?: number }).code !== 409) {
          this.ctx.log(`${meta.namespace}/${meta.name}: delete failed: ${String(err)}`);
        }
      });
  }

  private onGone(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    this.binding.delete(uid);
    this.deleting.delete(uid);
    const worker = this.workers.get(uid);
    if (!worker) return;
    this.workers.delete(uid);
    void worker.vanish().then(() => worker.removeFiles());
  }
}
