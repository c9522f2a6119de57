import type * as k8s from '@kubernetes/client-node';
import type { InformerEvent } from '../runtime/informer.js';
import type { KubeObject } from '../runtime/kube.js';

// Which watch events are worth a reconcile pass (controller-runtime's
// predicates). Every pass costs registry lookups and CPU; on a busy operator
// the passes nothing can come of delay the ones that start the next stage.

/**
 * An ImageBuild update matters when its spec (generation), its annotations
 * or its deletion changed; updates of status alone are the operator's own
 * writes. Annotations: a user asks for a pass at once (a moved branch) by
 * touching one, as with Flux's requestedAt.
 */
export function buildEventMatters(e: InformerEvent<KubeObject>): boolean {
  if (e.type !== 'update' || !e.old) return true;
  return (
    e.old.metadata.generation !== e.obj.metadata.generation ||
    e.old.metadata.deletionTimestamp !== e.obj.metadata.deletionTimestamp ||
    JSON.stringify(e.old.metadata.annotations ?? {}) !== JSON.stringify(e.obj.metadata.annotations ?? {})
  );
}

/** What the reconciler reads of a build pod (classifyJob): phase, reason and container states. */
function podState(pod: k8s.V1Pod): string {
  const states = (list: k8s.V1ContainerStatus[] | undefined) =>
    (list ?? []).map((c) => [c.name, c.state, c.image]);
  return JSON.stringify([
    pod.status?.phase,
    pod.status?.reason,
    pod.status?.message,
    states(pod.status?.initContainerStatuses),
    states(pod.status?.containerStatuses),
  ]);
}

/** A pod update matters when something the reconciler reads changed (not conditions, IPs, ...). */
export function podEventMatters(e: InformerEvent<k8s.V1Pod & KubeObject>): boolean {
  if (e.type !== 'update' || !e.old) return true;
  return podState(e.old) !== podState(e.obj);
}
