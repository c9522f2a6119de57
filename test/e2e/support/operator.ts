import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { inject } from 'vitest';
import { adminClients, adminKubeConfig } from '../../cluster/helpers/kube.js';
import { freePort } from '../../cluster/lib/ports.js';
import { type ManagedProcess, startProcess } from '../../cluster/lib/processes.js';
import { waitFor } from '../../cluster/lib/wait.js';

// Runs the operator as deploy/ would: the CRD from crds/, the ServiceAccount
// and RBAC from deploy/rbac.yaml, and `stapel-operator run` authenticating
// with exactly that ServiceAccount's token (so a missing permission fails).

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const OPERATOR_NAMESPACE = 'stapel-system';
const SERVICE_ACCOUNT = 'stapel-operator';

export function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', inject('kubeconfig'), ...args], {
    cwd: REPO_ROOT,
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Applies the CRD and deploy/'s namespace and RBAC once per run (idempotent). */
export function installOperatorResources(): void {
  kubectl(['apply', '--server-side', '--force-conflicts', '-f', 'crds/stapel.dev_imagebuilds.yaml']);
  kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/imagebuilds.stapel.dev']);
  kubectl(['apply', '-f', 'deploy/namespace.yaml', '-f', 'deploy/rbac.yaml']);
}

/** A kubeconfig file that authenticates as the operator's ServiceAccount. */
export async function serviceAccountKubeconfig(dir: string): Promise<string> {
  const { core } = adminClients();
  const token = await waitFor(
    async () =>
      (
        await core.createNamespacedServiceAccountToken({
          name: SERVICE_ACCOUNT,
          namespace: OPERATOR_NAMESPACE,
          body: { spec: { audiences: [], expirationSeconds: 3600 } },
        })
      ).status?.token,
    { description: 'a token of ServiceAccount stapel-operator', timeoutMs: 30_000 },
  );
  const cluster = adminKubeConfig().getCurrentCluster()!;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: SERVICE_ACCOUNT, token }],
    contexts: [
      { name: 'operator', cluster: cluster.name, user: SERVICE_ACCOUNT, namespace: OPERATOR_NAMESPACE },
    ],
    currentContext: 'operator',
  });
  const file = join(dir, 'operator.kubeconfig');
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

export interface RunningOperator {
  process: ManagedProcess;
  httpPort: number;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export async function startOperator(
  kubeconfig: string,
  dir: string,
  name = 'operator',
): Promise<RunningOperator> {
  const httpPort = await freePort();
  const proc = startProcess(
    name,
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'run',
      '--http-port',
      String(httpPort),
      '--lease-namespace',
      OPERATOR_NAMESPACE,
    ],
    {
      logFile: join(dir, `${name}.log`),
      cwd: REPO_ROOT,
      env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, STAPEL_EXIT_WITH_PARENT: '1' },
    },
  );
  await waitFor(
    async () => {
      const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined);
      return res?.ok;
    },
    { description: `operator ${name} ready`, timeoutMs: 60_000, lastState: () => proc.logTail(20) },
  );
  return {
    process: proc,
    httpPort,
    stop: () => proc.stop(15_000),
    kill: async () => {
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
  };
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'stapel-e2e-'));
}
