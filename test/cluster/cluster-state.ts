import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a running test cluster tells its users; written to `<stateDir>/state.json`. */
export interface ClusterInfo {
  stateDir: string;
  /** Admin kubeconfig (static token, system:masters) for kubectl and client-node. */
  kubeconfig: string;
  apiServer: string;
  /** host:port of the loopback registry (plain HTTP). */
  registry: string;
  /** The Node the test kubelet registered and binds pods to. */
  kubeletNode: string;
  /** `<registry>/base/busybox:latest`, built from busybox-static. */
  busyboxImage: string;
  /** Seconds from the supervisor's start to each part being ready. */
  timings: Record<string, number>;
}

export interface ClusterState extends ClusterInfo {
  /** Host pid of the supervisor (pid 1 of the cluster's pid namespace). */
  supervisorPid: number;
  /** Host pid of the `unshare` process that holds the pid namespace. */
  namespacePid: number;
}

export const READY_FILE = 'ready.json';
export const STATE_FILE = 'state.json';
export const FAILED_FILE = 'failed.txt';

export function readState(stateDir: string): ClusterState | undefined {
  const file = join(stateDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
