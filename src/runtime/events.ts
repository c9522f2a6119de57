import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';

// Kubernetes Events on an ImageBuild (events.k8s.io/v1), so `kubectl describe`
// shows stage starts, finishes and failures. Recording is best effort: an
// Event that cannot be written is logged, never fails a reconcile.

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
}

export interface EventRecorder {
  record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export class KubeEventRecorder implements EventRecorder {
  private readonly api: k8s.EventsV1Api;
  constructor(
    kc: k8s.KubeConfig,
    private readonly controller: string,
    private readonly instance: string,
    private readonly log?: Logger,
  ) {
    this.api = kc.makeApiClient(k8s.EventsV1Api);
  }

  record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const now = new k8s.V1MicroTime();
    const body: k8s.EventsV1Event = {
      metadata: { name: `${target.name}.${randomBytes(8).toString('hex')}`, namespace: target.namespace },
      eventTime: now,
      type,
      reason,
      note: message.slice(0, 1024),
      action: reason,
      reportingController: this.controller,
      reportingInstance: this.instance,
      regarding: {
        apiVersion: target.apiVersion,
        kind: target.kind,
        name: target.name,
        namespace: target.namespace,
        uid: target.uid,
      },
    };
    this.api.createNamespacedEvent({ namespace: target.namespace, body }).catch((err: unknown) => {
      this.log?.warn({ err: String(err), reason }, 'could not record event');
    });
  }
}
