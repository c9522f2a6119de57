import type * as k8s from '@kubernetes/client-node';
import type { InformerEvent } from '../runtime/informer.js';
import type { KubeObject } from '../runtime/kube.js';
import { jobSummary, podSummary } from './failures.js';

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

/** A pod update matters when something the reconciler reads changed (not conditions, IPs, init progress, ...). */
export function podEventMatters(e: InformerEvent<k8s.V1Pod & KubeObject>): boolean {
  if (e.type !== 'update' || !e.old) return true;
  return podSummary(e.old) !== podSummary(e.obj);
}

/**
 * A Job update matters when its conditions, completion time, annotations or
 * owner changed; the Job controller's counters (active, ready, succeeded,
 * startTime) do not: the pods tell those.
 */
export function jobEventMatters(e: InformerEvent<k8s.V1Job & KubeObject>): boolean {
  if (e.type !== 'update' || !e.old) return true;
  return jobSummary(e.old) !== jobSummary(e.obj);
}
