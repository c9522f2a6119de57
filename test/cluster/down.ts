// `npm run cluster:down`: stops the cluster that cluster:up started and waits until no process of it is left.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, readState, STATE_FILE } from './cluster-state.js';
import { DEFAULT_STATE_DIR, stopProcesses } from './launch.js';

const stateDir = process.env.STAPEL_CLUSTER_DIR ?? DEFAULT_STATE_DIR;
const state = readState(stateDir);
if (!state || (!isAlive(state.supervisorPid) && !isAlive(state.namespacePid))) {
  process.stderr.write(`no test cluster is running (state dir ${stateDir})\n`);
} else {
  await stopProcesses(state.supervisorPid, state.namespacePid);
  process.stderr.write(`test cluster stopped (logs kept in ${join(stateDir, 'logs')})\n`);
}
rmSync(join(stateDir, STATE_FILE), { force: true });
