// The test kubelet as a program: `node --import tsx test/cluster/kubelet/main.ts
// --kubeconfig FILE --node NAME --state-dir DIR`. The cluster supervisor starts it.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { buildahEnvironment } from '../registry/buildah.js';
import { TestKubelet } from './kubelet.js';
import { registerNode } from './node.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    node: { type: 'string' },
    'state-dir': { type: 'string' },
  },
});
if (!values.kubeconfig || !values.node || !values['state-dir']) {
  process.stderr.write('usage: kubelet/main.ts --kubeconfig FILE --node NAME --state-dir DIR\n');
  process.exit(2);
}
const stateDir = values['state-dir'];
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

const kc = new KubeConfig();
kc.loadFromFile(values.kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const server = new URL(kc.getCurrentCluster()!.server);
const podsDir = join(stateDir, 'kubelet', 'pods');
mkdirSync(podsDir, { recursive: true });

await registerNode(core, values.node);
const kubelet = new TestKubelet(kc, {
  core,
  nodeName: values.node,
  podsDir,
  apiHost: server.hostname,
  apiPort: server.port,
  repoRoot: resolve(fileURLToPath(new URL('../../..', import.meta.url))),
  tsxLoader: import.meta.resolve('tsx'),
  buildahEnv: buildahEnvironment(stateDir),
  log,
});
await kubelet.start();
log(`test kubelet running as node ${values.node}`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  await kubelet.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
