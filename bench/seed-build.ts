// `npm run bench:seed`: the seed example (examples/seed/werf.yaml) built
// cold by the operator, next to the same stages built by plain buildah on
// the same machine one after another: for each stage Job the operator ran,
// in the order they started, the same `stapel-operator prepare` (Dockerfile
// and imported files), `buildah bud` and `buildah push` it ran, with a
// fresh buildah storage. Prints both wall times and their ratio.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BatchV1Api, type V1Job } from '@kubernetes/client-node';
import { REPO_ROOT } from '../test/cluster/launch.js';
import { buildahEnvironment } from '../test/cluster/registry/buildah.js';
import { log, machine, startBenchEnvironment } from './support/harness.js';
import { applyAll, imageBuildYaml, waitReady } from './support/imagebuilds.js';

const run = promisify(execFile);
const NAMESPACE = 'bench-seed';

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** One stage as plain buildah builds it: prepare the workspace, bud, push. */
async function buildStage(job: V1Job, storage: Record<string, string>, dir: string) {
  const pod = job.spec!.template.spec!;
  const spec = pod.initContainers
    ?.find((c) => c.name === 'prepare')
    ?.env?.find((e) => e.name === 'STAPEL_PREPARE_SPEC')?.value;
  const destination = pod.containers[0]?.args
    ?.find((a) => a.startsWith('--destination='))
    ?.slice('--destination='.length);
  if (!spec || !destination) throw new Error(`Job ${job.metadata?.name}: no prepare spec or destination`);
  const workspace = mkdtempSync(join(dir, 'ws-'));
  const prepare = await timed(() =>
    run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'prepare', '--spec-env', 'SPEC', '--workspace', workspace],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, SPEC: spec },
      },
    ),
  );
  const env = { ...process.env, ...storage };
  const build = await timed(async () => {
    await run(
      'buildah',
      [
        'bud',
        '--format',
        'docker',
        '--isolation',
        'chroot',
        '--tls-verify=false',
        '-f',
        join(workspace, 'Dockerfile'),
        '-t',
        destination,
        workspace,
      ],
      { env, maxBuffer: 64 * 1024 * 1024 },
    );
    await run('buildah', ['push', '--tls-verify=false', destination, `docker://${destination}`], { env });
  });
  rmSync(workspace, { recursive: true, force: true });
  return { prepare, build };
}

const env = await startBenchEnvironment();
try {
  const { state, kubectl, admin } = env;
  await kubectl.run(['create', 'namespace', NAMESPACE]);
  const spec = {
    config: readFileSync(join(REPO_ROOT, 'examples/seed/werf.yaml'), 'utf8'),
    env: { BASE_IMAGE: state.busyboxImage },
    registry: { repository: `${state.registry}/bench/seed`, insecure: true },
    parallelism: 4,
    retries: 0,
  };
  log('building the seed example with the operator (cold registry)');
  const start = performance.now();
  await applyAll(kubectl, [imageBuildYaml(NAMESPACE, 'seed', spec)]);
  await waitReady(admin, NAMESPACE, ['seed'], 30 * 60_000, 250);
  const operatorMs = performance.now() - start;

  const jobs = (await admin.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: NAMESPACE })).items.sort(
    (a, b) => Date.parse(String(a.status?.startTime)) - Date.parse(String(b.status?.startTime)),
  );
  log(`building the same ${jobs.length} stages with plain buildah, one after another`);
  const storage = buildahEnvironment(join(env.dir, 'baseline'));
  let prepareMs = 0;
  let buildMs = 0;
  const baselineMs = await timed(async () => {
    for (const job of jobs) {
      const t = await buildStage(job, storage, env.dir);
      prepareMs += t.prepare;
      buildMs += t.build;
    }
  });
  process.stdout.write(
    [
      `seed example, cold (${machine()})`,
      `  operator: kubectl apply -> Ready=True ${(operatorMs / 1000).toFixed(1)} s (${jobs.length} stage Jobs, parallelism 4)`,
      `  plain buildah in sequence: ${(baselineMs / 1000).toFixed(1)} s (prepare ${(prepareMs / 1000).toFixed(1)} s + bud/push ${(buildMs / 1000).toFixed(1)} s)`,
      `  ratio operator / buildah: ${(operatorMs / baselineMs).toFixed(2)}`,
      '',
    ].join('\n'),
  );
} finally {
  await env.stop();
}
