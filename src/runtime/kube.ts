import https from 'node:https';
import * as k8s from '@kubernetes/client-node';

// One place that knows client-node 1.4's quirks: ApiException bodies are JSON
// *strings*, typed APIs turn timestamps into Dates (so lists used for caches
// go through `rawRequest` instead), and patches need an explicit content type.

export const FIELD_MANAGER = 'stapel-operator';

export interface KubeStatus {
  code: number;
  reason: string;
  message: string;
}

/** Normalises any error from client-node (or rawRequest) into a Kubernetes Status shape. */
export function toStatus(err: unknown): KubeStatus {
  if (err instanceof k8s.ApiException || err instanceof RawRequestError) {
    let body: unknown = err.body;
    // Some client-node paths hand over the JSON text encoded once more, as a JSON string.
    for (let depth = 0; depth < 2 && typeof body === 'string'; depth++) {
      try {
        body = JSON.parse(body);
      } catch {
        return { code: err.code, reason: '', message: body as string };
      }
    }
    if (typeof body === 'string') return { code: err.code, reason: '', message: body };
    const b = (body ?? {}) as { reason?: string; message?: string };
    return { code: err.code, reason: b.reason ?? '', message: b.message ?? '' };
  }
  const code = (err as { statusCode?: number })?.statusCode ?? 0;
  return { code, reason: '', message: err instanceof Error ? err.message : String(err) };
}

/** True for an error the API server answered (as opposed to a network or programming error). */
export function isApiError(err: unknown): boolean {
  return err instanceof k8s.ApiException || err instanceof RawRequestError;
}

/** One line for status and logs: `Kubernetes API: 413 Request entity too large: limit is 3145728`. */
export function describeApiError(err: unknown): string {
  const s = toStatus(err);
  const text = s.message || s.reason || 'no message';
  return `Kubernetes API: ${s.code} ${text.split('\n')[0]!.slice(0, 512)}`;
}

export const isNotFound = (err: unknown) => toStatus(err).code === 404;
export const isConflict = (err: unknown) =>
  toStatus(err).code === 409 && toStatus(err).reason !== 'AlreadyExists';
export const isAlreadyExists = (err: unknown) => toStatus(err).reason === 'AlreadyExists';
export const isGone = (err: unknown) => toStatus(err).code === 410;

export class RawRequestError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
    method: string,
    path: string,
  ) {
    super(`${method} ${path}: HTTP ${code}`);
  }
}

/** A JSON request with the kubeconfig's TLS and credentials; returns the body as plain JSON. */
export async function rawRequest<T = unknown>(
  kc: k8s.KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server + path);
  const opts: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) {
    opts.headers = {
      ...opts.headers,
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(payload),
    };
  }
  return new Promise<T>((resolve, reject) => {
    const req = https.request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code < 200 || code > 299) return reject(new RawRequestError(code, text, method, path));
        try {
          resolve((text ? JSON.parse(text) : {}) as T);
        } catch (e) {
          reject(e);
        }
      });
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Query string from defined values only. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Minimal object shape the runtime relies on. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
    }>;
    deletionTimestamp?: string;
    creationTimestamp?: string;
  };
}

export interface KubeList<T> {
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

export const objectKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
