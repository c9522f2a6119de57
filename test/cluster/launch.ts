import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ClusterInfo,
  type ClusterState,
  FAILED_FILE,
  isAlive,
  READY_FILE,
  STATE_FILE,
} from './cluster-state.js';
import { sleep } from './lib/wait.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(HERE, '..', '..');
/** Where `npm run cluster:up` keeps its cluster (ignored by git). */
export const DEFAULT_STATE_DIR = join(REPO_ROOT, '.cache', 'cluster');

/** Programs the cluster needs from Debian; test/cluster/install-deps.sh installs them. */
const REQUIRED_TOOLS = ['openssl', 'buildah', 'docker-registry', 'busybox', 'unshare', 'chroot', 'mount'];

function hasCommand(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function missingTools(): string[] {
  return REQUIRED_TOOLS.filter((tool) => !hasCommand(tool));
}

/** Installs missing Debian packages (needs root); throws with the manual step when that is impossible. */
export function ensureTools(log: (line: string) => void): void {
  if (!hasCommand('kubectl')) {
    log('kubectl is missing: running test/cluster/ensure-kubectl.sh');
    execFileSync('bash', [join(HERE, 'ensure-kubectl.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const missing = missingTools();
  if (missing.length === 0) return;
  log(`missing ${missing.join(', ')}: running test/cluster/install-deps.sh`);
  try {
    execFileSync('bash', [join(HERE, 'install-deps.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    throw new Error(
      `the test cluster needs ${missing.join(', ')}; install them with 'sudo bash test/cluster/install-deps.sh'`,
    );
  }
}

/** Builds etcd/kube-apiserver/kube-controller-manager unless cached; returns the folder holding them. */
export function ensureBinaries(log: (line: string) => void): string {
  log(
    'checking the control plane binaries (test/cluster/build-binaries.sh; a first build takes ~15 minutes)',
  );
  const out = execFileSync('bash', [join(HERE, 'build-binaries.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dir = out.trim().split('\n').pop() ?? '';
  if (!existsSync(join(dir, 'kube-apiserver')))
    throw new Error(`build-binaries.sh printed no binary folder (got '${dir}')`);
  log(`control plane binaries ready in ${dir}`);
  return dir;
}

/** Everything a cluster writes into its state dir. */
const CLUSTER_ENTRIES = [
  'logs',
  'pki',
  'etcd-data',
  'apiserver-certs',
  'kcm-certs',
  'registry',
  'buildah',
  'kubelet',
  'admin.kubeconfig',
  'kcm.kubeconfig',
];

export interface LaunchedCluster {
  state: ClusterState;
  /** Stops every process of the cluster and waits until they are gone. */
  stop(): Promise<void>;
}

/**
 * Starts the supervisor in a new pid namespace and waits until it reports
 * ready. With `detached`, the cluster outlives this process (cluster:up);
 * otherwise it also stops when this process dies (its stdin pipe closes).
 */
export async function launchCluster(options: {
  stateDir: string;
  binDir: string;
  detached: boolean;
  /** The state dir is the caller's temporary folder (removed if the caller dies without stopping the cluster). */
  temporary?: boolean;
  log: (line: string) => void;
  timeoutMs?: number;
  /** Registry storage kept outside the state dir (it survives the cluster), on a fixed port. */
  registry?: { dataDir: string; port: number };
}): Promise<LaunchedCluster> {
  const { stateDir, log } = options;
  // A cluster always starts empty: remove what an earlier one left (only the entries a cluster makes).
  for (const entry of [...CLUSTER_ENTRIES, READY_FILE, FAILED_FILE, STATE_FILE]) {
    rmSync(join(stateDir, entry), { recursive: true, force: true });
  }
  mkdirSync(join(stateDir, 'logs'), { recursive: true });
  const supervisorLog = join(stateDir, 'logs', 'supervisor.log');
  const fd = openSync(supervisorLog, 'w');
  const child = spawn(
    'unshare',
    [
      '--pid',
      '--fork',
      '--kill-child=SIGTERM',
      '--mount-proc',
      '--',
      process.execPath,
      '--import',
      'tsx', // resolved from the cwd, the checkout (vite's module runner has no import.meta.resolve)
      join(HERE, 'supervisor.ts'),
      '--state-dir',
      stateDir,
      '--bin-dir',
      options.binDir,
      ...(options.detached ? [] : ['--watch-stdin']),
      ...(options.registry
        ? ['--registry-dir', options.registry.dataDir, '--registry-port', String(options.registry.port)]
        : []),
      ...(options.temporary ? ['--remove-state-if-orphaned'] : []),
    ],
    // Always its own process group: a terminal's Ctrl-C reaches only the starter, which stops the
    // cluster after what runs on it; attached, it still ends with the starter (--watch-stdin).
    { stdio: [options.detached ? 'ignore' : 'pipe', fd, fd], detached: true, cwd: REPO_ROOT },
  );
  closeSync(fd);
  if (options.detached) child.unref();
  const namespacePid = child.pid!;
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `${code ?? signal}`;
  });

  const supervisorPid = await findChild(namespacePid);
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  let shown = 0;
  const showProgress = () => {
    const lines = readFileSync(supervisorLog, 'utf8').split('\n');
    for (const line of lines.slice(shown, -1)) log(line);
    shown = Math.max(shown, lines.length - 1);
  };
  for (;;) {
    showProgress();
    if (existsSync(join(stateDir, READY_FILE))) break;
    const failed = join(stateDir, FAILED_FILE);
    if (existsSync(failed) || exited !== undefined || Date.now() > deadline) {
      const reason = existsSync(failed)
        ? readFileSync(failed, 'utf8')
        : exited !== undefined
          ? `the supervisor exited (${exited})`
          : 'timed out';
      await stopProcesses(supervisorPid, namespacePid, child);
      throw new Error(`the test cluster did not start: ${reason}\n(logs in ${join(stateDir, 'logs')})`);
    }
    await sleep(200);
  }
  const info = JSON.parse(readFileSync(join(stateDir, READY_FILE), 'utf8')) as ClusterInfo;
  const state: ClusterState = { ...info, supervisorPid, namespacePid };
  writeFileSync(join(stateDir, STATE_FILE), JSON.stringify(state, null, 2));
  return {
    state,
    stop: async () => {
      await stopProcesses(supervisorPid, namespacePid, child);
      rmSync(join(stateDir, STATE_FILE), { force: true });
    },
  };
}

/** SIGTERM to the supervisor; SIGKILL after a minute (the kernel then ends the whole pid namespace). */
export async function stopProcesses(
  supervisorPid: number,
  namespacePid: number,
  child?: ChildProcess,
): Promise<void> {
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  };
  signal(supervisorPid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while ((isAlive(supervisorPid) || isAlive(namespacePid)) && Date.now() < deadline) await sleep(100);
  if (isAlive(supervisorPid)) signal(supervisorPid, 'SIGKILL');
  while (isAlive(namespacePid) && Date.now() < deadline + 5000) await sleep(100);
  child?.stdin?.destroy();
}

/** The pid of the one child of `pid` (unshare --fork makes exactly one). */
async function findChild(pid: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    try {
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      if (children) return Number(children.split(/\s+/)[0]);
    } catch {
      throw new Error(`unshare exited at once: is util-linux unshare available and are we root?`);
    }
    await sleep(20);
  }
  throw new Error('unshare did not start the supervisor');
}
