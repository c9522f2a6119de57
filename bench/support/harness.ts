import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import {
  installOperatorResources,
  Kubectl,
  type RunningOperator,
  serviceAccountKubeconfig,
  startOperator,
} from '../../scripts/demo/operator.js';
import type { ClusterState } from '../../test/cluster/cluster-state.js';
import { ensureBinaries, ensureTools, launchCluster, REPO_ROOT } from '../../test/cluster/launch.js';
import { type CountingProxy, startCountingProxy } from './counting-proxy.js';

// What every cluster benchmark needs: a fresh test cluster in a temporary
// folder, the CRD and deploy/'s RBAC, and the operator from this checkout
// running as deploy/'s ServiceAccount behind a counting proxy.

export interface BenchEnvironment {
  state: ClusterState;
  kubectl: Kubectl;
  admin: KubeConfig;
  operator: RunningOperator;
  proxy: CountingProxy;
  dir: string;
  stop(): Promise<void>;
  /** Stops the operator and starts a fresh process (nothing learned in memory); `operator` is the new one. */
  restartOperator(): Promise<RunningOperator>;
}

export const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  ensureTools(log);
  const binDir = ensureBinaries(log);
  const dir = mkdtempSync(join(tmpdir(), 'stapel-bench-'));
  log(`starting a test cluster in ${dir}`);
  const cluster = await launchCluster({
    stateDir: dir,
    binDir,
    detached: false,
    temporary: true,
    log: () => {},
  });
  const stops: (() => Promise<void>)[] = [() => cluster.stop()];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    const { state } = cluster;
    const kubectl = new Kubectl(state.kubeconfig, REPO_ROOT);
    await installOperatorResources(kubectl);
    const admin = new KubeConfig();
    admin.loadFromFile(state.kubeconfig);
    const apiCluster = admin.getCurrentCluster()!;
    const ca = apiCluster.caFile
      ? readFileSync(apiCluster.caFile, 'utf8')
      : Buffer.from(apiCluster.caData ?? '', 'base64').toString('utf8');
    const proxy = await startCountingProxy({ server: apiCluster.server, ca });
    stops.push(() => proxy.close());
    const kubeconfig = await serviceAccountKubeconfig(kubectl, join(dir, 'operator.kubeconfig'), proxy.url);
    // The compiled CLI, as the operator's image runs it (tsx would add its compiler to the memory figures).
    log('npm run build');
    execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    log('starting the operator (dist/, deploy/ ServiceAccount, through the counting proxy)');
    const start = (logName: string) =>
      startOperator({
        repoRoot: REPO_ROOT,
        kubeconfig,
        logFile: join(dir, logName),
        fromDist: true,
        // BENCH_OPERATOR_NODE_OPTIONS: V8 flags for the operator alone (e.g. to compare heap settings).
        ...(process.env.BENCH_OPERATOR_NODE_OPTIONS !== undefined
          ? { env: { NODE_OPTIONS: process.env.BENCH_OPERATOR_NODE_OPTIONS } }
          : {}),
      });
    const env: BenchEnvironment = {
      state,
      kubectl,
      admin,
      operator: await start('operator.log'),
      proxy,
      dir,
      stop,
      async restartOperator() {
        await env.operator.process.stop(15_000);
        env.operator = await start(`operator-${Date.now()}.log`);
        return env.operator;
      },
    };
    stops.push(() => env.operator.process.stop(15_000));
    return env;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Peak resident memory (VmHWM) of a running process, in MB. */
export function peakMemoryMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function machine(): string {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${new Date().toISOString()}, node ${process.version}, ${cpus().length} cores, load average ${load}, ${(process.env.BENCH_MACHINE_NOTE ?? '').trim() || 'machine shared with other work'}`;
}
