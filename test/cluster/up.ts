// `npm run cluster:up`: builds what is missing and starts the test cluster in
// the background, state under .cache/cluster (or $STAPEL_CLUSTER_DIR).
import { isAlive, readState } from './cluster-state.js';
import { DEFAULT_STATE_DIR, ensureBinaries, ensureTools, launchCluster } from './launch.js';

const stateDir = process.env.STAPEL_CLUSTER_DIR ?? DEFAULT_STATE_DIR;
const log = (line: string) => process.stderr.write(`${line}\n`);
const existing = readState(stateDir);
if (existing && isAlive(existing.supervisorPid)) {
  log(`a test cluster is already running (state in ${stateDir})`);
} else {
  ensureTools(log);
  const binDir = ensureBinaries(log);
  const started = Date.now();
  const { state } = await launchCluster({ stateDir, binDir, detached: true, log });
  log(`cluster started in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  void state;
}
const state = readState(stateDir)!;
process.stdout.write(
  [
    `state dir:   ${state.stateDir}`,
    `kubeconfig:  ${state.kubeconfig}`,
    `api server:  ${state.apiServer}`,
    `registry:    ${state.registry}  (plain HTTP)`,
    `base image:  ${state.busyboxImage}`,
    `node:        ${state.kubeletNode}`,
    `try:         kubectl --kubeconfig ${state.kubeconfig} get ns`,
    `stop with:   npm run cluster:down`,
    '',
  ].join('\n'),
);
