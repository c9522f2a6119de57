import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import * as demo from '../../../scripts/demo/operator.js';
import type { ManagedProcess } from '../../cluster/lib/processes.js';

// Runs the operator as deploy/ would: the CRD from crds/, the ServiceAccount
// and RBAC from deploy/rbac.yaml, and `stapel-operator run` authenticating
// with exactly that ServiceAccount's token (so a missing permission fails).
// The work is scripts/demo/operator.ts's (the demo and benchmarks run the
// operator the same way); this adds the test cluster's kubeconfig and hooks.

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', inject('kubeconfig'), ...args], {
    cwd: REPO_ROOT,
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

const asyncKubectl = () => new demo.Kubectl(inject('kubeconfig'), REPO_ROOT);

export interface RunningOperator {
  process: ManagedProcess;
  httpPort: number;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Starts one operator (replica `name`, log in `dir`) as deploy/'s ServiceAccount and waits until it is ready. */
export async function startOperator(
  kubeconfig: string,
  dir: string,
  name = 'operator',
): Promise<RunningOperator> {
  const { process: proc, httpPort } = await demo.startOperator({
    repoRoot: REPO_ROOT,
    kubeconfig,
    logFile: join(dir, `${name}.log`),
    name,
    // Its own HOME: nothing from this user's docker or kube configuration leaks in.
    env: { HOME: dir },
    timeoutMs: 60_000,
  });
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

export interface OperatorFixture {
  /** Scratch folder of this test file: kubeconfig and operator logs. */
  readonly dir: string;
  /** A kubeconfig with a token of deploy/'s ServiceAccount. */
  readonly kubeconfig: string;
  /** The operator started before the tests (with `start`), or the last one `restart` started. */
  readonly operator: RunningOperator;
  /** Starts another replica; every replica is stopped after the file's tests. */
  startReplica(name: string): Promise<RunningOperator>;
  /** Ends the current operator (`kill`: SIGKILL, no clean shutdown; `stop`: SIGTERM) and starts a new one named `name`. */
  restart(name: string, how?: 'kill' | 'stop'): Promise<RunningOperator>;
}

/**
 * The hooks every e2e file needs: before its tests, the CRD and deploy/'s
 * resources, a ServiceAccount kubeconfig and (`start`, default true) one
 * operator; after them, every operator it started is stopped.
 */
export function useOperator(options: { start?: boolean; when?: boolean } = {}): OperatorFixture {
  const running: RunningOperator[] = [];
  let dir = '';
  let kubeconfig = '';
  let current: RunningOperator | undefined;
  const fixture: OperatorFixture = {
    get dir() {
      return dir;
    },
    get kubeconfig() {
      return kubeconfig;
    },
    get operator() {
      if (!current) throw new Error('no operator was started (useOperator({ start: false }))');
      return current;
    },
    async startReplica(name) {
      const op = await startOperator(kubeconfig, dir, name);
      running.push(op);
      return op;
    },
    async restart(name, how = 'kill') {
      await (how === 'kill' ? current?.kill() : current?.stop());
      current = await fixture.startReplica(name);
      return current;
    },
  };
  beforeAll(async () => {
    if (options.when === false) return;
    const k = asyncKubectl();
    await demo.installOperatorResources(k);
    dir = mkdtempSync(join(tmpdir(), 'stapel-e2e-'));
    kubeconfig = await demo.serviceAccountKubeconfig(k, join(dir, 'operator.kubeconfig'));
    if (options.start !== false) current = await fixture.startReplica('operator');
  });
  afterAll(async () => {
    for (const op of running) await op.stop();
  });
  return fixture;
}
