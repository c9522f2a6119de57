import type { KubeObject } from '../runtime/kube.js';
import type { JobEvent } from './failures.js';

// The Job controller's FailedCreate Warnings (admission or quota refused a
// stage's pod), as the operator's events informer keeps them: only what
// classifyJob reads, the Job they are about, and when.

/** Field selector of the events informer (core/v1 Events support these fields). */
export const JOB_EVENT_SELECTOR = 'involvedObject.kind=Job,type=Warning,reason=FailedCreate';

export interface JobEventObject extends KubeObject {
  involvedObject: { namespace?: string; name?: string; uid?: string };
  reason?: string;
  message?: string;
  /** The latest time the event was seen (series, lastTimestamp, eventTime or creation). */
  at?: string;
}

interface RawEvent extends JobEventObject {
  lastTimestamp?: string;
  eventTime?: string;
  series?: { lastObservedTime?: string };
  firstTimestamp?: string;
}

/** The fields of an Event the reconciler reads (the rest is dropped before caching). */
export function slimJobEvent(raw: JobEventObject): JobEventObject {
  const e = raw as RawEvent;
  const { name, namespace, resourceVersion, creationTimestamp } = e.metadata;
  const at = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? creationTimestamp;
  return {
    metadata: { name, namespace, resourceVersion },
    involvedObject: {
      namespace: e.involvedObject?.namespace,
      name: e.involvedObject?.name,
      uid: e.involvedObject?.uid,
    },
    reason: e.reason,
    message: e.message,
    ...(at ? { at: String(at) } : {}),
  };
}

/** The cached Warnings about one Job (this Job object: its uid), oldest first. */
export function warningsOf(
  events: readonly JobEventObject[],
  namespace: string,
  jobName: string,
  jobUid: string | undefined,
): JobEvent[] {
  return events
    .filter(
      (e) =>
        e.involvedObject.namespace === namespace &&
        e.involvedObject.name === jobName &&
        (!jobUid || !e.involvedObject.uid || e.involvedObject.uid === jobUid),
    )
    .sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''))
    .map((e) => ({ reason: e.reason ?? '', message: e.message ?? '' }));
}
