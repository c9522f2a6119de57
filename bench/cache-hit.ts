// `npm run bench:cache`: a rebuild served entirely from the stage cache.
// A 20-image config is built once (with the test kubelet's `prebuilt-image`
// fault, so every stage image exists quickly); then new ImageBuilds with the
// same config are applied one after another, and each one's time from
// `kubectl apply` to Ready=True is measured (polled every 50 ms). Prints
// the median and each sample, and how many Jobs the cached builds created.
import { BatchV1Api } from '@kubernetes/client-node';
import { log, machine, percentile, startBenchEnvironment } from './support/harness.js';
import { applyAll, imageBuildYaml, prebuiltNamespace, waitReady } from './support/imagebuilds.js';

const IMAGES = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const NAMESPACE = 'bench-cache';

function twentyImages(base: string): string {
  const docs = ['project: cached\nconfigVersion: 1'];
  for (let i = 0; i < IMAGES; i++) {
    docs.push(`image: image-${i}
from: ${base}
shell:
  install: [echo install-${i}]
  setup: [echo setup-${i}]
docker:
  ENV: {IMAGE: "${i}"}`);
  }
  return `${docs.join('\n---\n')}\n`;
}

const env = await startBenchEnvironment();
try {
  const { state, kubectl, admin, proxy } = env;
  await prebuiltNamespace(kubectl, NAMESPACE, state.busyboxImage);
  const spec = {
    config: twentyImages(state.busyboxImage),
    registry: { repository: `${state.registry}/bench/cached`, insecure: true },
    retries: 0,
  };
  log('warming the cache: building every stage once');
  await applyAll(kubectl, [imageBuildYaml(NAMESPACE, 'warm', spec)]);
  const [warm] = await waitReady(admin, NAMESPACE, ['warm'], 20 * 60_000);
  const stageCount = (warm?.status?.images ?? []).reduce((n, i) => n + i.stages.length, 0);
  const batch = admin.makeApiClient(BatchV1Api);
  const jobsBefore = (await batch.listNamespacedJob({ namespace: NAMESPACE })).items.length;

  // A fresh operator process first (the demo's second run): it knows no stage yet and asks the registry.
  log('restarting the operator: the first cached build meets a process that has learned nothing');
  await env.restartOperator();
  const samples: number[] = [];
  let requests = 0;
  for (let r = 0; r < RUNS; r++) {
    const name = `hit-${r}`;
    proxy.reset();
    const start = performance.now();
    await applyAll(kubectl, [imageBuildYaml(NAMESPACE, name, spec)]);
    await waitReady(admin, NAMESPACE, [name], 5 * 60_000, 50);
    samples.push(performance.now() - start);
    requests += proxy.total();
    log(`${name}: ${(samples[r]! / 1000).toFixed(2)}s`);
  }
  const jobsAfter = (await batch.listNamespacedJob({ namespace: NAMESPACE })).items.length;
  process.stdout.write(
    [
      `cache-hit rebuild (${machine()})`,
      `  ${IMAGES} images, ${stageCount} stages, every stage in the registry`,
      `  kubectl apply -> Ready=True: median ${(percentile(samples, 50) / 1000).toFixed(2)} s over ${RUNS} runs (${samples.map((s) => (s / 1000).toFixed(2)).join(', ')}; the first one by a freshly started operator)`,
      `  Jobs created by the cached builds: ${jobsAfter - jobsBefore}; operator API requests per cached build: ${(requests / RUNS).toFixed(1)}`,
      '',
    ].join('\n'),
  );
} finally {
  await env.stop();
}
