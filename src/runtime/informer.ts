import * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type Clock, sleep, systemClock } from './clock.js';
import { isGone, type KubeList, type KubeObject, query, rawRequest } from './kube.js';

// A list-and-watch cache that keeps itself alive. client-node 1.4's own
// ListWatch stops for good on any non-410 error and has no inactivity
// timeout, so this one owns the loop: relist on start, after any error and
// periodically; watch with a server-side timeout and a local watchdog;
// restart with jittered exponential backoff (1 s to 30 s). The cache holds
// plain JSON (no Dates) from both list and watch.

export type InformerEventType = 'add' | 'update' | 'delete';
export interface InformerEvent<T> {
  type: InformerEventType;
  obj: T;
  /** The cached object this event replaces (update and delete). */
  old?: T;
}

export interface InformerOptions<T = KubeObject> {
  /** Collection path, e.g. `/apis/batch/v1/jobs` or `/api/v1/namespaces/ns/pods`. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Applied to every object before it is cached and handed to handlers
   * (controller-runtime's cache transforms): drop what no reader needs
   * (managedFields, pod specs, ...) so the cache stays small.
   */
  transform?: (obj: T) => T;
  clock?: Clock;
  /** Full relist (and replay of every object as an update) this often. */
  relistIntervalMs?: number;
  /** Server-side watch timeout; the server closes the stream and we resume from the last version. */
  watchTimeoutSeconds?: number;
  log?: Logger;
  onRestart?: (path: string) => void;
}

/** Backoff for the n-th consecutive failure: 1 s doubling to 30 s, with up to 20 % jitter. */
export function restartDelayMs(failures: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (1 + 0.2 * random()));
}

/** Pure cache diff of a relist: what to emit and the new cache. */
export function diffRelist<T extends KubeObject>(
  cache: ReadonlyMap<string, T>,
  items: readonly T[],
  key: (o: T) => string,
): { events: InformerEvent<T>[]; next: Map<string, T> } {
  const next = new Map<string, T>();
  const events: InformerEvent<T>[] = [];
  for (const item of items) {
    const k = key(item);
    next.set(k, item);
    const old = cache.get(k);
    events.push(old ? { type: 'update', obj: item, old } : { type: 'add', obj: item });
  }
  for (const [k, old] of cache) if (!next.has(k)) events.push({ type: 'delete', obj: old, old });
  return { events, next };
}

const cacheKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class Informer<T extends KubeObject> {
  private cache = new Map<string, T>();
  private readonly handlers: Array<(e: InformerEvent<T>) => void> = [];
  private resourceVersion = '';
  private stopped = false;
  private current?: AbortController;
  private relistDue = false;
  private synced!: Promise<void>;
  private markSynced!: () => void;
  private readonly clock: Clock;
  private readonly stopSignal = new AbortController();

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly opts: InformerOptions<T>,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.synced = new Promise((resolve) => {
      this.markSynced = resolve;
    });
  }

  on(handler: (e: InformerEvent<T>) => void): void {
    this.handlers.push(handler);
  }

  get(namespace: string, name: string): T | undefined {
    return this.cache.get(`${namespace}/${name}`);
  }

  list(filter?: (o: T) => boolean): T[] {
    if (!filter) return [...this.cache.values()];
    // No copy of the whole cache per call: passes ask for a few Jobs and pods out of many.
    const out: T[] = [];
    for (const o of this.cache.values()) if (filter(o)) out.push(o);
    return out;
  }

  /** Starts the loop; resolves after the first successful list. */
  start(): Promise<void> {
    void this.loop();
    return this.synced;
  }

  stop(): void {
    this.stopped = true;
    this.stopSignal.abort();
    this.current?.abort();
  }

  private async loop(): Promise<void> {
    let failures = 0;
    let cancelRelist = this.scheduleRelist();
    while (!this.stopped) {
      try {
        if (!this.resourceVersion || this.relistDue) {
          this.relistDue = false;
          await this.relist();
          this.markSynced();
          cancelRelist();
          cancelRelist = this.scheduleRelist();
        }
        await this.watchOnce();
        failures = 0;
      } catch (err) {
        if (this.stopped) break;
        this.resourceVersion = '';
        if (isGone(err)) continue;
        failures++;
        const delay = restartDelayMs(failures);
        this.opts.log?.warn(
          { path: this.opts.path, err: String(err), delayMs: delay },
          'informer restarting',
        );
        this.opts.onRestart?.(this.opts.path);
        await sleep(this.clock, delay, this.stopSignal.signal);
      }
    }
    cancelRelist();
  }

  private scheduleRelist(): () => void {
    const every = this.opts.relistIntervalMs ?? 5 * 60_000;
    return this.clock.setTimer(() => {
      this.relistDue = true;
      this.current?.abort();
    }, every);
  }

  private async relist(): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await rawRequest<KubeList<T>>(
        this.kc,
        'GET',
        this.opts.path +
          query({
            labelSelector: this.opts.labelSelector,
            fieldSelector: this.opts.fieldSelector,
            limit: 500,
            continue: cont,
          }),
      );
      const transform = this.opts.transform;
      items.push(...(transform ? page.items.map(transform) : page.items));
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion ?? '';
    } while (cont);
    const { events, next } = diffRelist(this.cache, items, cacheKey);
    this.cache = next;
    this.resourceVersion = rv;
    for (const e of events) this.emit(e);
  }

  /** One watch stream; resolves when it ends normally (timeout, periodic relist), rejects on error. */
  private watchOnce(): Promise<void> {
    const timeoutSeconds = this.opts.watchTimeoutSeconds ?? 300;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let cancelWatchdog = () => {};
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        cancelWatchdog();
        if (err && !this.stopped && !this.relistDue && !isAbort(err)) reject(err);
        else resolve();
      };
      // A half-open TCP stream never ends on its own; the server's timeout plus
      // a margin tells us the stream is dead.
      const armWatchdog = () => {
        cancelWatchdog();
        cancelWatchdog = this.clock.setTimer(
          () => {
            this.current?.abort();
            finish(new Error(`watch ${this.opts.path}: no data for ${timeoutSeconds + 30}s`));
          },
          (timeoutSeconds + 30) * 1000,
        );
      };
      armWatchdog();
      const onEvent = (type: string, raw: T & { code?: number }) => {
        armWatchdog();
        if (type === 'ERROR') {
          if (raw.code === 410) this.resourceVersion = '';
          return;
        }
        if (raw?.metadata?.resourceVersion) this.resourceVersion = raw.metadata.resourceVersion;
        if (type === 'BOOKMARK') return;
        const obj = this.opts.transform ? this.opts.transform(raw) : raw;
        const k = cacheKey(obj);
        const old = this.cache.get(k);
        if (type === 'DELETED') {
          this.cache.delete(k);
          this.emit({ type: 'delete', obj, old: old ?? obj });
        } else {
          this.cache.set(k, obj);
          this.emit(old ? { type: 'update', obj, old } : { type: 'add', obj });
        }
      };
      new k8s.Watch(this.kc)
        .watch(
          this.opts.path,
          {
            resourceVersion: this.resourceVersion,
            labelSelector: this.opts.labelSelector,
            fieldSelector: this.opts.fieldSelector,
            allowWatchBookmarks: true,
            timeoutSeconds,
          },
          onEvent,
          (err) => finish(err ?? undefined),
        )
        .then(
          (ctrl) => {
            this.current = ctrl;
            if (settled || this.stopped) ctrl.abort();
          },
          (err) => finish(err),
        );
    }).then(() => {
      // A 410 inside the stream clears the version: relist before watching again.
      if (!this.resourceVersion) this.relistDue = true;
    });
  }

  private emit(e: InformerEvent<T>): void {
    for (const h of this.handlers) {
      try {
        h(e);
      } catch (err) {
        this.opts.log?.error({ err: String(err), path: this.opts.path }, 'informer handler failed');
      }
    }
  }
}

function isAbort(err: unknown): boolean {
  return (err as { name?: string })?.name === 'AbortError' || (err as { type?: string })?.type === 'aborted';
}
