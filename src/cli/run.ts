import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as k8s from '@kubernetes/client-node';
import { ImageBuildManager } from '../reconciler/manager.js';
import { registryAccess } from '../reconciler/registry-access.js';
import { KubeEventRecorder } from '../runtime/events.js';
import { startHttpServer } from '../runtime/health.js';
import { LeaderElector } from '../runtime/leader.js';
import { createLogger } from '../runtime/log.js';
import { Metrics } from '../runtime/metrics.js';
import type { Command } from './commands.js';

/** How long a stopping operator waits for in-flight reconciles and the lease release. */
const SHUTDOWN_GRACE_MS = 5_000;

// `stapel-operator run`: the controller process. Kubeconfig from the default
// loaders ($KUBECONFIG, ~/.kube/config, in-cluster). Every flag has an
// environment variable, so the Deployment can set them either way.

export const DEFAULT_OPERATOR_IMAGE = 'ghcr.io/stapel-dev/stapel-operator:0.1.0';
// osscontainertools' fork is the maintained Kaniko (upstream is archived).
export const DEFAULT_BUILDER_IMAGE = 'ghcr.io/osscontainertools/kaniko:v1.28.3';
const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

const usage = `Usage: stapel-operator run [options]

  --namespace NS          watch ImageBuilds in NS only (env WATCH_NAMESPACE; default: all)
  --operator-image IMAGE  image of the prepare init container (env STAPEL_OPERATOR_IMAGE;
                          default ${DEFAULT_OPERATOR_IMAGE})
  --builder-image IMAGE   default Kaniko executor image (env STAPEL_BUILDER_IMAGE;
                          default ${DEFAULT_BUILDER_IMAGE})
  --http-port PORT        /metrics, /healthz and /readyz (env HTTP_PORT; default 8080; 0 = off)
  --workers N             ImageBuilds reconciled in parallel (env WORKERS; default 4)
  --leader-elect BOOL     elect a leader on a Lease before reconciling (env LEADER_ELECT; default true)
  --lease-namespace NS    namespace of the Lease (env LEASE_NAMESPACE; default: this pod's namespace)
  --lease-name NAME       (env LEASE_NAME; default stapel-operator-leader)`;

export interface RunOptions {
  namespace?: string;
  operatorImage: string;
  builderImage: string;
  httpPort: number;
  workers: number;
  leaderElect: boolean;
  leaseNamespace?: string;
  leaseName: string;
}

export function parseRunArgs(args: string[], env: NodeJS.ProcessEnv): RunOptions | string {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) return `unexpected argument '${arg}'`;
    const value = m[2] ?? args[++i];
    if (value === undefined) return `--${m[1]} needs a value`;
    flags.set(m[1]!, value);
  }
  const known = [
    'namespace',
    'operator-image',
    'builder-image',
    'http-port',
    'workers',
    'leader-elect',
    'lease-namespace',
    'lease-name',
  ];
  for (const name of flags.keys()) if (!known.includes(name)) return `unknown option --${name}`;
  const pick = (flag: string, envName: string) => flags.get(flag) ?? env[envName] ?? undefined;
  const int = (text: string | undefined, fallback: number, name: string): number | string => {
    if (text === undefined || text === '') return fallback;
    const n = Number(text);
    return Number.isInteger(n) && n >= 0 ? n : `--${name} must be a non-negative integer, got '${text}'`;
  };
  const httpPort = int(pick('http-port', 'HTTP_PORT'), 8080, 'http-port');
  if (typeof httpPort === 'string') return httpPort;
  const workers = int(pick('workers', 'WORKERS'), 4, 'workers');
  if (typeof workers === 'string') return workers;
  if (workers < 1) return '--workers must be at least 1';
  const le = (pick('leader-elect', 'LEADER_ELECT') ?? 'true').toLowerCase();
  if (!['true', 'false'].includes(le)) return `--leader-elect must be true or false, got '${le}'`;
  return {
    namespace: pick('namespace', 'WATCH_NAMESPACE') || undefined,
    operatorImage: pick('operator-image', 'STAPEL_OPERATOR_IMAGE') || DEFAULT_OPERATOR_IMAGE,
    builderImage: pick('builder-image', 'STAPEL_BUILDER_IMAGE') || DEFAULT_BUILDER_IMAGE,
    httpPort,
    workers,
    leaderElect: le === 'true',
    leaseNamespace: pick('lease-namespace', 'LEASE_NAMESPACE') || undefined,
    leaseName: pick('lease-name', 'LEASE_NAME') || 'stapel-operator-leader',
  };
}

function ownNamespace(kc: k8s.KubeConfig): string | undefined {
  try {
    return readFileSync(SA_NAMESPACE_FILE, 'utf8').trim();
  } catch {
    return kc.getContextObject(kc.getCurrentContext())?.namespace;
  }
}

export async function runOperator(opts: RunOptions): Promise<number> {
  const log = createLogger();
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const identity = `${process.env.POD_NAME ?? hostname()}_${Math.random().toString(36).slice(2, 8)}`;
  const metrics = new Metrics();
  const manager = new ImageBuildManager({
    kc,
    namespace: opts.namespace,
    workers: opts.workers,
    settings: { operatorImage: opts.operatorImage, defaultBuilderImage: opts.builderImage },
    registry: registryAccess,
    events: new KubeEventRecorder(kc, 'stapel.dev/stapel-operator', identity, log),
    metrics,
    log,
  });
  let leading = !opts.leaderElect;
  const server =
    opts.httpPort > 0
      ? await startHttpServer(opts.httpPort, {
          registry: metrics.registry,
          // A follower is ready (a healthy standby); the leader once its caches are synced.
          ready: () => !leading || manager.hasSynced(),
        })
      : undefined;
  log.info(
    { identity, httpPort: opts.httpPort, namespace: opts.namespace ?? '(all)' },
    'stapel-operator starting',
  );

  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => {
    resolveExit = r;
  });
  const startManager = () => {
    leading = true;
    manager.run().then(
      () => resolveExit(0),
      (err: unknown) => {
        log.error({ err: String(err) }, 'controller failed');
        resolveExit(1);
      },
    );
  };
  let elector: LeaderElector | undefined;
  if (opts.leaderElect) {
    const leaseNamespace = opts.leaseNamespace ?? ownNamespace(kc) ?? 'default';
    elector = new LeaderElector(kc, {
      namespace: leaseNamespace,
      name: opts.leaseName,
      identity,
      log,
      onStartedLeading: startManager,
      onStoppedLeading: () => {
        // controller-runtime's rule: a replica that lost the lease exits and restarts as a follower.
        manager.stop();
        resolveExit(1);
      },
      onStatus: (l) => metrics.leader.set({ name: opts.leaseName }, l ? 1 : 0),
    });
    elector.start();
  } else startManager();

  let cutShort = false;
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    manager.stop();
    if (!leading) resolveExit(0);
    // A reconcile waiting on an API server or registry that is gone would hold the exit forever;
    // cutting it short is safe (every pass is idempotent, the next leader redoes it).
    setTimeout(() => {
      log.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'in-flight reconciles did not finish; exiting without them');
      cutShort = true;
      resolveExit(0);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  if (process.env.STAPEL_EXIT_WITH_PARENT === '1') watchParent(() => shutdown('parent exited'));
  const code = await exited;
  // Releasing the lease lets a follower take over at once; without an API server it cannot, so bounded.
  await Promise.race([elector?.stop(), new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref())]);
  server?.close();
  log.info({ code }, 'stapel-operator stopped');
  // The requests left behind hold sockets open that would keep the process alive.
  if (cutShort) setImmediate(() => process.exit(code));
  return code;
}

/**
 * For supervised runs (tests, local demos): stop when the process that
 * started us is gone, so a killed test run leaves no operator behind.
 */
function watchParent(onGone: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    let alive = process.ppid === parent;
    try {
      if (alive) process.kill(parent, 0);
    } catch {
      alive = false;
    }
    if (!alive) {
      clearInterval(timer);
      onGone();
    }
  }, 1000);
  timer.unref();
}

export const runCommand: Command = {
  summary: 'run the ImageBuild controller',
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const opts = parseRunArgs(args, process.env);
    if (typeof opts === 'string') {
      process.stderr.write(`stapel-operator run: ${opts}\n\n${usage}\n`);
      return 2;
    }
    return runOperator(opts);
  },
};
