// Starts a test cluster the way the test runner does (not detached, temporary
// state dir), prints its state as one JSON line and waits until killed. Used
// by teardown.test.ts to show that killing the runner leaves nothing behind.
import { parseArgs } from 'node:util';
import { ensureBinaries, launchCluster } from '../launch.js';

const { values } = parseArgs({ options: { 'state-dir': { type: 'string' } } });
const binDir = ensureBinaries(() => {});
const { state } = await launchCluster({
  stateDir: values['state-dir']!,
  binDir,
  detached: false,
  temporary: true,
  log: () => {},
});
process.stdout.write(`${JSON.stringify(state)}\n`);
setInterval(() => {}, 60_000);
