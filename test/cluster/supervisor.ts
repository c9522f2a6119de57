// Runs the whole test cluster as pid 1 of its own pid namespace (started by
// launch.ts through `unshare --pid --fork --kill-child --mount-proc`): when
// this process ends, for any reason, the kernel ends every process of the
// cluster with it, so nothing is left behind. It starts etcd,
// kube-apiserver, kube-controller-manager, the registry (with the busybox
// base image) and the test kubelet, writes ready.json, and stops them in
// reverse order on SIGTERM/SIGINT or when its stdin closes (--watch-stdin:
// the process that started it has gone).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ClusterInfo, FAILED_FILE, READY_FILE } from './cluster-state.js';
import { startControlPlane } from './control-plane/control-plane.js';
import { type ManagedProcess, startProcess } from './lib/processes.js';
import { StopWaiting, waitFor } from './lib/wait.js';
import { BUSYBOX_IMAGE_PATH, imageExists, pushBusyboxImage } from './registry/base-images.js';
import { buildahEnvironment } from './registry/buildah.js';
import { startRegistry } from './registry/registry.js';

const { values } = parseArgs({
  options: {
    'state-dir': { type: 'string' },
    'bin-dir': { type: 'string' },
    node: { type: 'string', default: 'stapel-test-node' },
    'watch-stdin': { type: 'boolean', default: false },
    // The demo keeps its registry (the stage cache) across runs, on a fixed port.
    'registry-dir': { type: 'string' },
    'registry-port': { type: 'string' },
    // A temporary cluster (the test runner's) removes its state dir when the runner dies without stopping it.
    'remove-state-if-orphaned': { type: 'boolean', default: false },
  },
});
const stateDir = values['state-dir']!;
const binDir = values['bin-dir']!;
const nodeName = values.node!;
const started = Date.now();
const elapsed = () => Math.round((Date.now() - started) / 100) / 10;
const log = (line: string) => process.stdout.write(`[cluster ${elapsed()}s] ${line}\n`);

const stoppers: { name: string; stop: () => Promise<void> }[] = [];
let stopping: Promise<void> | undefined;

function shutdown(reason: string, code: number, removeState = false): Promise<void> {
  stopping ??= (async () => {
    log(`stopping (${reason})`);
    for (const s of [...stoppers].reverse()) {
      await s.stop().catch((err: unknown) => log(`stopping ${s.name} failed: ${String(err)}`));
    }
    log('stopped');
    if (removeState) rmSync(stateDir, { recursive: true, force: true });
    process.exit(code);
  })();
  return stopping;
}

process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
process.on('SIGINT', () => void shutdown('SIGINT', 0));
process.on('SIGHUP', () => void shutdown('SIGHUP', 0));
if (values['watch-stdin']) {
  process.stdin.on('data', () => {});
  const orphaned = () => void shutdown('the test runner went away', 0, values['remove-state-if-orphaned']);
  process.stdin.on('end', orphaned);
  process.stdin.on('error', orphaned);
}

async function main(): Promise<void> {
  const timings: Record<string, number> = {};
  const controlPlane = await startControlPlane({ binDir, stateDir, log });
  stoppers.push({ name: 'control plane', stop: controlPlane.stop });
  timings.controlPlane = elapsed();
  log(`control plane ready at ${controlPlane.apiServerUrl}`);

  const registry = await startRegistry({
    stateDir,
    dataDir: values['registry-dir'],
    port: values['registry-port'] ? Number(values['registry-port']) : undefined,
  });
  stoppers.push({ name: 'registry', stop: () => registry.process.stop(3000) });
  log(`registry ready at ${registry.host}`);
  // A kept registry already holds the base image: pushing a new build of it
  // would change its digest, and with it every stage built on it.
  const kept = `${registry.host}/${BUSYBOX_IMAGE_PATH}`;
  const keep = values['registry-dir'] !== undefined && (await imageExists(kept));
  const busyboxImage = keep ? kept : await pushBusyboxImage(buildahEnvironment(stateDir), registry.host);
  timings.registry = elapsed();
  log(keep ? `kept ${busyboxImage} (already in the registry)` : `pushed ${busyboxImage}`);

  const kubeletLog = join(stateDir, 'logs', 'kubelet.log');
  const kubelet = startProcess(
    'test kubelet',
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      fileURLToPath(new URL('./kubelet/main.ts', import.meta.url)),
      '--kubeconfig',
      controlPlane.adminKubeconfig,
      '--node',
      nodeName,
      '--state-dir',
      stateDir,
    ],
    { logFile: kubeletLog },
  );
  stoppers.push({ name: 'test kubelet', stop: () => kubelet.stop(15_000) });
  await waitForLogLine(kubelet, 'test kubelet running');
  timings.kubelet = elapsed();

  const info: ClusterInfo = {
    stateDir,
    kubeconfig: controlPlane.adminKubeconfig,
    apiServer: controlPlane.apiServerUrl,
    registry: registry.host,
    kubeletNode: nodeName,
    busyboxImage,
    timings,
  };
  writeFileSync(join(stateDir, READY_FILE), JSON.stringify(info, null, 2));
  log(`ready in ${elapsed()}s`);
  const all: ManagedProcess[] = [...controlPlane.processes, registry.process, kubelet];
  for (const p of all) {
    void p.exited.then((code) => {
      if (!stopping) {
        log(
          `${p.name} exited unexpectedly (${code}); stopping the cluster. Log ${p.logFile}:\n${p.logTail()}`,
        );
        void shutdown(`${p.name} died`, 1);
      }
    });
  }
}

async function waitForLogLine(p: ManagedProcess, text: string): Promise<void> {
  let exited: number | string | undefined;
  void p.exited.then((c) => {
    exited = c;
  });
  await waitFor(
    () => {
      if (exited !== undefined) throw new StopWaiting(`${p.name} exited (${exited}):\n${p.logTail()}`);
      return readFileSync(p.logFile, 'utf8').includes(text);
    },
    { description: `${p.name} to start`, timeoutMs: 60_000, lastState: () => p.logTail() },
  );
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  writeFileSync(join(stateDir, FAILED_FILE), message);
  log(`start failed: ${message}`);
  void shutdown('start failed', 1);
});
