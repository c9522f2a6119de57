import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { freePort } from '../../test/cluster/lib/ports.js';
import { type ManagedProcess, startProcess } from '../../test/cluster/lib/processes.js';
import { sleep } from '../../test/cluster/lib/wait.js';

// The operator as deploy/ defines it, run from the checkout: the CRD from
// crds/, the namespace, ServiceAccount and least-privilege RBAC from
// deploy/, and `stapel-operator run` authenticating with a token of that
// ServiceAccount, so the demo exercises exactly the permissions a real
// installation grants.

const run = promisify(execFile);
export const OPERATOR_NAMESPACE = 'stapel-system';
export const SERVICE_ACCOUNT = 'stapel-operator';
const CRD = 'crds/stapel.dev_imagebuilds.yaml';
const DEPLOY_FILES = ['deploy/namespace.yaml', 'deploy/rbac.yaml'];
const DEPLOYMENT = 'deploy/deployment.yaml';

/**
 * The NODE_OPTIONS deploy/deployment.yaml gives the operator container (V8
 * heap flags), so a local operator runs with the memory settings of a real one.
 */
export function deployedNodeOptions(repoRoot: string): string | undefined {
  for (const doc of parseAllDocuments(readFileSync(join(repoRoot, DEPLOYMENT), 'utf8'))) {
    const obj = doc.toJS() as {
      kind?: string;
      spec?: {
        template?: { spec?: { containers?: { name: string; env?: { name: string; value?: string }[] }[] } };
      };
    } | null;
    if (obj?.kind !== 'Deployment') continue;
    const operator = obj.spec?.template?.spec?.containers?.find((c) => c.name === 'operator');
    return operator?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
  }
  return undefined;
}

export class Kubectl {
  constructor(
    readonly kubeconfig: string,
    private readonly cwd: string,
  ) {}

  async run(args: string[], input?: string): Promise<string> {
    const child = run('kubectl', ['--kubeconfig', this.kubeconfig, ...args], {
      cwd: this.cwd,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (input !== undefined) child.child.stdin?.end(input);
    try {
      return (await child).stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`kubectl ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
    }
  }
}

/**
 * Fails at once, with the reason, when this checkout has no operator yet
 * (before the cluster is started for nothing).
 */
export function checkOperatorPresent(repoRoot: string): void {
  const missing = [CRD, ...DEPLOY_FILES].filter((f) => !existsSync(join(repoRoot, f)));
  if (missing.length > 0) {
    throw new Error(`this checkout has no operator manifests yet: missing ${missing.join(', ')}`);
  }
  try {
    execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--help'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(0, 5).join('\n');
    throw new Error(
      `'stapel-operator run' is not available in this checkout (the reconciler has not landed yet?):\n${output}`,
    );
  }
}

/** Applies the CRD and deploy/'s namespace, ServiceAccount and RBAC. */
export async function installOperatorResources(kubectl: Kubectl): Promise<void> {
  await kubectl.run(['apply', '--server-side', '--force-conflicts', '-f', CRD]);
  await kubectl.run(['wait', '--for=condition=Established', '--timeout=60s', 'crd/imagebuilds.stapel.dev']);
  await kubectl.run(['apply', ...DEPLOY_FILES.flatMap((f) => ['-f', f])]);
}

/**
 * A kubeconfig file (mode 0600) that authenticates as deploy/'s ServiceAccount
 * with a fresh token; `server` replaces the API server's address (a
 * benchmark's counting proxy).
 */
export async function serviceAccountKubeconfig(
  kubectl: Kubectl,
  file: string,
  server?: string,
): Promise<string> {
  let token = '';
  // The token controller may need a moment after the ServiceAccount appears.
  for (let attempt = 0; !token; attempt++) {
    try {
      token = (
        await kubectl.run(['create', 'token', SERVICE_ACCOUNT, '-n', OPERATOR_NAMESPACE, '--duration=12h'])
      ).trim();
    } catch (err) {
      if (attempt >= 30) throw err;
      await sleep(500);
    }
  }
  const admin = new KubeConfig();
  admin.loadFromFile(kubectl.kubeconfig);
  // A proxy speaks plain HTTP on loopback: nothing to verify, but client-node demands the flag.
  const cluster = server ? { name: 'proxied', server, skipTLSVerify: true } : admin.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: SERVICE_ACCOUNT, token }],
    contexts: [
      { name: 'operator', cluster: cluster.name, user: SERVICE_ACCOUNT, namespace: OPERATOR_NAMESPACE },
    ],
    currentContext: 'operator',
  });
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

export interface RunningOperator {
  process: ManagedProcess;
  httpPort: number;
}

/** Starts `stapel-operator run` from the checkout and waits until /readyz answers. */
export async function startOperator(options: {
  repoRoot: string;
  kubeconfig: string;
  logFile: string;
  timeoutMs?: number;
  /** Run the compiled CLI (dist/, `npm run build`) as the image does, instead of the sources through tsx. */
  fromDist?: boolean;
  /** The process's name in logs and errors (default stapel-operator): a replica's name. */
  name?: string;
  /** Variables added to this process's environment. */
  env?: NodeJS.ProcessEnv;
}): Promise<RunningOperator> {
  const httpPort = await freePort();
  const cli = options.fromDist ? ['dist/cli/main.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
  const proc = startProcess(
    options.name ?? 'stapel-operator',
    process.execPath,
    [...cli, 'run', '--http-port', String(httpPort), '--lease-namespace', OPERATOR_NAMESPACE],
    {
      logFile: options.logFile,
      cwd: options.repoRoot,
      // STAPEL_EXIT_WITH_PARENT: the operator stops by itself should the demo be killed.
      env: {
        ...process.env,
        NODE_OPTIONS: deployedNodeOptions(options.repoRoot),
        ...options.env,
        KUBECONFIG: options.kubeconfig,
        STAPEL_EXIT_WITH_PARENT: '1',
      },
      // Stopped by its starter before the cluster, not by the terminal's Ctrl-C at the same time.
      ownProcessGroup: true,
    },
  );
  let exited: number | string | undefined;
  void proc.exited.then((code) => {
    exited = code;
  });
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (exited !== undefined) {
      throw new Error(
        `the operator ${proc.name} exited (${exited}) before it was ready:\n${proc.logTail(20)}`,
      );
    }
    const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined);
    if (res?.ok) return { process: proc, httpPort };
    if (Date.now() > deadline) {
      await proc.stop(5000);
      throw new Error(
        `the operator ${proc.name} was not ready within ${(options.timeoutMs ?? 120_000) / 1000}s:\n${proc.logTail(20)}`,
      );
    }
    await sleep(300);
  }
}
