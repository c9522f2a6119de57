// Global setup of the vitest project `cluster`: starts one test cluster
// (control plane, registry, test kubelet) for the whole run and provides
// `kubeconfig`, `registry`, `kubeletNode` (plus `clusterStateDir` and
// `busyboxImage`) to the tests through inject(). A cluster already started
// with `npm run cluster:up` is reused (and left running); otherwise a fresh
// one is started in a temporary folder and removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type ClusterState, isAlive, readState } from './cluster-state.js';
import { DEFAULT_STATE_DIR, ensureBinaries, ensureTools, launchCluster } from './launch.js';

const log = (line: string) => process.stderr.write(`[test cluster] ${line}\n`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let state: ClusterState;
  let teardown = async () => {};
  const running = readState(process.env.STAPEL_CLUSTER_DIR ?? DEFAULT_STATE_DIR);
  if (running && isAlive(running.supervisorPid)) {
    log(`reusing the cluster started by 'npm run cluster:up' (${running.stateDir})`);
    state = running;
  } else {
    ensureTools(log);
    const binDir = ensureBinaries(log);
    const stateDir = mkdtempSync(join(tmpdir(), 'stapel-cluster-'));
    log(`starting a test cluster in ${stateDir}`);
    const started = Date.now();
    const cluster = await launchCluster({ stateDir, binDir, detached: false, temporary: true, log });
    log(`cluster ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    state = cluster.state;
    teardown = async () => {
      const stopping = Date.now();
      await cluster.stop();
      log(`cluster stopped in ${((Date.now() - stopping) / 1000).toFixed(1)}s`);
      if (process.env.STAPEL_KEEP_CLUSTER_STATE) log(`state kept in ${stateDir}`);
      else rmSync(stateDir, { recursive: true, force: true });
    };
  }
  project.provide('kubeconfig', state.kubeconfig);
  project.provide('registry', state.registry);
  project.provide('kubeletNode', state.kubeletNode);
  project.provide('clusterStateDir', state.stateDir);
  project.provide('busyboxImage', state.busyboxImage);
  return teardown;
}
