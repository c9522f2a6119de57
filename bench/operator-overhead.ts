// `npm run bench:overhead`: the operator's own cost. 50 ImageBuilds of 10
// stages each (a chain: every stage waits for the one before it), built
// with the test kubelet's `prebuilt-image` fault: each build pod finishes at
// once, having pushed an image made beforehand (the base image), so what is
// left is the operator. Prints the median and p99 of the time from a stage's
// build finishing to the next stage's Job being created: "finishing" is the
// moment the test kubelet pushed the stage image (it logs the time; the pod's
// Succeeded status follows a few ms later, and the operator may act on the
// registry before it), "created" is when this process's watch saw the Job.
// Also the same from the pod's Succeeded status as the watch saw it, the
// operator's API requests per stage (counted by a proxy in front of the API
// server) and its peak resident memory.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type V1Job, type V1Pod, Watch } from '@kubernetes/client-node';
import { PREBUILT_PUSH_LOG } from '../test/cluster/kubelet/prebuilt.js';
import { log, machine, peakMemoryMb, percentile, startBenchEnvironment } from './support/harness.js';
import { applyAll, imageBuildYaml, prebuiltNamespace, waitReady } from './support/imagebuilds.js';

const BUILDS = Number(process.env.BENCH_BUILDS ?? 50);
const NAMESPACE = 'bench-overhead';

/** Ten stages in one chain: base (from, 4 shell stages, docker) and app fromImage base (from, 3 shell stages). */
function chainConfig(base: string, n: number): string {
  return `project: bench
configVersion: 1
---
image: base
from: ${base}
fromCacheVersion: "${n}"
shell:
  beforeInstall: [echo before-install-${n}]
  install: [echo install-${n}]
  beforeSetup: [echo before-setup-${n}]
  setup: [echo setup-${n}]
docker:
  ENV: {BUILD: "${n}"}
---
image: app
fromImage: base
shell:
  beforeInstall: [echo app-before-install-${n}]
  install: [echo app-install-${n}]
  setup: [echo app-setup-${n}]
`;
}

/** Mean of a Prometheus histogram (sum / count over all its series), as `12.3 ms`. */
function meanSeconds(text: string, name: string): string {
  const total = (suffix: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}_${suffix}`))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  const count = total('count');
  return count > 0 ? `${((total('sum') / count) * 1000).toFixed(1)} ms` : 'n/a';
}

const env = await startBenchEnvironment();
try {
  const { state, kubectl, admin, proxy, operator } = env;
  await prebuiltNamespace(kubectl, NAMESPACE, state.busyboxImage);

  // One watcher sees both events: a build pod reaching Succeeded and a Job appearing.
  const jobCreated = new Map<string, { at: number; build: string; destination: string }>();
  const podDone = new Map<string, number>();
  const jobComplete = new Map<string, number>();
  const watch = new Watch(admin);
  const now = () => Date.now();
  const jobWatch = await watch.watch(
    `/apis/batch/v1/namespaces/${NAMESPACE}/jobs`,
    {},
    (type, job: V1Job) => {
      const name = job.metadata?.name ?? '';
      const complete = job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');
      if (complete && !jobComplete.has(name)) jobComplete.set(name, now());
      if (type === 'ADDED' && !jobCreated.has(name)) {
        const args = job.spec?.template.spec?.containers[0]?.args ?? [];
        const destination =
          args.find((a) => a.startsWith('--destination='))?.slice('--destination='.length) ?? '';
        jobCreated.set(name, {
          at: now(),
          build: job.metadata?.ownerReferences?.[0]?.name ?? '?',
          destination,
        });
      }
    },
    () => {},
  );
  const podWatch = await watch.watch(
    `/api/v1/namespaces/${NAMESPACE}/pods`,
    {},
    (_type, pod: V1Pod) => {
      const job =
        pod.metadata?.labels?.['batch.kubernetes.io/job-name'] ?? pod.metadata?.labels?.['job-name'];
      if (job && pod.status?.phase === 'Succeeded' && !podDone.has(job)) podDone.set(job, now());
    },
    () => {},
  );

  const names = Array.from({ length: BUILDS }, (_, i) => `chain-${String(i).padStart(2, '0')}`);
  const docs = names.map((name, i) =>
    imageBuildYaml(NAMESPACE, name, {
      config: chainConfig(state.busyboxImage, i),
      registry: { repository: `${state.registry}/bench/overhead`, insecure: true },
      retries: 0,
    }),
  );
  proxy.reset();
  const started = now();
  log(`applying ${BUILDS} ImageBuilds of 10 stages`);
  await applyAll(kubectl, docs);
  const builds = await waitReady(admin, NAMESPACE, names, 30 * 60_000, 1000);
  const wall = (now() - started) / 1000;
  const metrics = await (await fetch(`http://127.0.0.1:${operator.httpPort}/metrics`)).text();
  const requests = proxy.counts();
  const total = proxy.total();
  jobWatch.abort();
  podWatch.abort();

  const stages = builds.flatMap((b) => (b.status?.images ?? []).flatMap((i) => i.stages));
  const built = stages.filter((s) => s.source === 'built').length;
  // Every stage here is built by its own Job: any other source is a status defect worth a look.
  const notBuilt = builds.flatMap((b) =>
    (b.status?.images ?? []).flatMap((i) =>
      i.stages
        .filter((s) => s.source !== 'built')
        .map((s) => `${b.metadata.name} ${i.name}/${s.name}: ${s.source}`),
    ),
  );
  const pushedAt = new Map<string, number>();
  for (const line of readFileSync(join(state.stateDir, 'kubelet', PREBUILT_PUSH_LOG), 'utf8').split('\n')) {
    const [at, destination] = line.split(' ');
    if (destination && !pushedAt.has(destination)) pushedAt.set(destination, Number(at));
  }
  // Per build, its Jobs in creation order form the chain: Job k starts after Job k-1's build finished.
  const gaps: number[] = [];
  const podGaps: number[] = [];
  for (const name of names) {
    const jobs = [...jobCreated].filter(([, j]) => j.build === name).sort((a, b) => a[1].at - b[1].at);
    for (let k = 1; k < jobs.length; k++) {
      const [previousName, previous] = jobs[k - 1]!;
      const pushed = pushedAt.get(previous.destination);
      if (pushed !== undefined) gaps.push(jobs[k]![1].at - pushed);
      const done = podDone.get(previousName);
      if (done !== undefined) podGaps.push(jobs[k]![1].at - done);
    }
  }
  // The Job controller's share: a build pod Succeeded -> its Job Complete (the operator no longer waits for it).
  const jobGaps = [...podDone]
    .flatMap(([job, at]) => (jobComplete.has(job) ? [jobComplete.get(job)! - at] : []))
    .filter((ms) => Number.isFinite(ms));
  // The operator's share, from its own log: its pod watch delivered the finish -> it sent the next Job's create.
  const handoffs = readFileSync(operator.process.logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"handoffMs"'))
    .map((l) => (JSON.parse(l) as { handoffMs: number }).handoffMs);
  // BENCH_KEEP=DIR keeps the operator's log and /metrics for a closer look (the cluster folder is removed).
  const keep = process.env.BENCH_KEEP;
  if (keep) {
    copyFileSync(operator.process.logFile, join(keep, 'operator.log'));
    writeFileSync(join(keep, 'metrics.txt'), metrics);
  }
  const byKind = [...requests].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`);
  process.stdout.write(
    [
      `operator overhead (${machine()})`,
      `  builds: ${BUILDS} x 10 stages, ${stages.length} stages in status, ${built} built, ${jobCreated.size} Jobs, all Ready in ${wall.toFixed(1)}s`,
      ...(notBuilt.length > 0 ? [`  stages not reported built: ${notBuilt.join(', ')}`] : []),
      `  stage image pushed -> next Job created: median ${percentile(gaps, 50).toFixed(0)} ms, p99 ${percentile(gaps, 99).toFixed(0)} ms (${gaps.length} samples)`,
      `  pod Succeeded seen -> next Job created: median ${percentile(podGaps, 50).toFixed(0)} ms, p99 ${percentile(podGaps, 99).toFixed(0)} ms (${podGaps.length} samples; both seen by this process's watches)`,
      `    operator's share (its log: pod finish delivered by its watch -> next Job create sent): median ${percentile(handoffs, 50).toFixed(1)} ms, p99 ${percentile(handoffs, 99).toFixed(1)} ms (${handoffs.length} samples)`,
      `    Job controller (pod Succeeded seen -> Job Complete seen; the operator does not wait for it): median ${percentile(jobGaps, 50).toFixed(0)} ms, p99 ${percentile(jobGaps, 99).toFixed(0)} ms`,
      `  API requests: ${total} = ${(total / stages.length).toFixed(2)} per stage`,
      `    ${byKind.join(', ')}`,
      `  operator's own share: ${meanSeconds(metrics, 'controller_runtime_reconcile_time_seconds')} per reconcile, ${meanSeconds(metrics, 'workqueue_queue_duration_seconds')} waiting in the work queue (means, from its /metrics)`,
      `  operator peak RSS: ${peakMemoryMb(operator.process.child.pid!).toFixed(0)} MB`,
      '',
    ].join('\n'),
  );
} finally {
  await env.stop();
}
