// Benchmark: how long the test cluster takes to start (each part) and stop,
// and how long a one-pod Job takes from creation to Complete on it. Prints
// figures; asserts nothing.
//
//   npm run bench:cluster            (BENCH_RUNS=3 by default)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchV1Api, KubeConfig } from '@kubernetes/client-node';
import { ensureBinaries, ensureTools, launchCluster } from '../test/cluster/launch.js';
import { waitFor } from '../test/cluster/lib/wait.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const seconds = (ms: number) => (ms / 1000).toFixed(1);

ensureTools(() => {});
const binDir = ensureBinaries(() => {});
for (let run = 1; run <= runs; run++) {
  const stateDir = mkdtempSync(join(tmpdir(), 'stapel-cluster-bench-'));
  const t0 = Date.now();
  const cluster = await launchCluster({ stateDir, binDir, detached: false, temporary: true, log: () => {} });
  const started = Date.now() - t0;

  const kc = new KubeConfig();
  kc.loadFromFile(cluster.state.kubeconfig);
  const batch = kc.makeApiClient(BatchV1Api);
  const t1 = Date.now();
  await batch.createNamespacedJob({
    namespace: 'default',
    body: {
      metadata: { name: 'bench' },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'main', image: cluster.state.busyboxImage, command: ['true'] }],
          },
        },
      },
    },
  });
  await waitFor(
    async () => {
      const job = await batch.readNamespacedJob({ name: 'bench', namespace: 'default' });
      return job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');
    },
    { description: 'the bench Job to complete', timeoutMs: 120_000, intervalMs: 50 },
  );
  const job = Date.now() - t1;

  const t2 = Date.now();
  await cluster.stop();
  const stopped = Date.now() - t2;
  rmSync(stateDir, { recursive: true, force: true });
  const parts = Object.entries(cluster.state.timings)
    .map(([k, v]) => `${k} ready at ${v}s`)
    .join(', ');
  console.log(
    `run ${run}: start ${seconds(started)}s (${parts}); one-pod Job to Complete ${seconds(job)}s; stop ${seconds(stopped)}s`,
  );
}
