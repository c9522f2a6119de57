import type * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../runtime/kube.js';

// Informer transforms (controller-runtime's TransformStripManagedFields and
// friends): the caches of stage Jobs and build pods keep only what the
// reconciler, its predicates and the watch handlers read. A build pod's spec
// (the prepare spec, the Dockerfile in its args, volumes) and every object's
// managedFields are most of their size, and the operator reads neither.

type Pod = k8s.V1Pod & KubeObject;
type Job = k8s.V1Job & KubeObject;

function slimMetadata(
  m: KubeObject['metadata'],
): KubeObject['metadata'] & { annotations?: Record<string, string> } {
  const {
    name,
    namespace,
    uid,
    resourceVersion,
    generation,
    labels,
    ownerReferences,
    creationTimestamp,
    deletionTimestamp,
  } = m;
  const annotations = (m as { annotations?: Record<string, string> }).annotations;
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(uid !== undefined ? { uid } : {}),
    ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    ...(generation !== undefined ? { generation } : {}),
    ...(labels ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
    ...(ownerReferences ? { ownerReferences } : {}),
    ...(creationTimestamp !== undefined ? { creationTimestamp } : {}),
    ...(deletionTimestamp !== undefined ? { deletionTimestamp } : {}),
  };
}

function slimContainerStatuses(
  list: k8s.V1ContainerStatus[] | undefined,
): k8s.V1ContainerStatus[] | undefined {
  return list?.map(({ name, image, imageID, ready, restartCount, state, lastState }) => ({
    name,
    image,
    imageID,
    ready,
    restartCount,
    ...(state ? { state } : {}),
    ...(lastState ? { lastState } : {}),
  }));
}

/** A build pod as the reconciler reads it: metadata, phase, reason, message and container states. */
export function slimPod(pod: Pod): Pod {
  const s = pod.status ?? {};
  const init = slimContainerStatuses(s.initContainerStatuses);
  const containers = slimContainerStatuses(s.containerStatuses);
  return {
    metadata: slimMetadata(pod.metadata),
    status: {
      ...(s.phase !== undefined ? { phase: s.phase } : {}),
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
      ...(s.message !== undefined ? { message: s.message } : {}),
      ...(init ? { initContainerStatuses: init } : {}),
      ...(containers ? { containerStatuses: containers } : {}),
    },
  } as Pod;
}

/** A stage Job as the reconciler reads it: metadata, its deadline and its status without the pod template. */
export function slimJob(job: Job): Job {
  const deadline = job.spec?.activeDeadlineSeconds;
  return {
    metadata: slimMetadata(job.metadata),
    ...(deadline !== undefined ? { spec: { activeDeadlineSeconds: deadline } } : {}),
    ...(job.status ? { status: job.status } : {}),
  } as Job;
}
