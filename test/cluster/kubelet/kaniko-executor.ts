// Plays the Kaniko executor inside a test-kubelet container: the same flags,
// built with `buildah bud` (vfs storage, chroot isolation) and pushed to the
// loopback registry. Started by the kubelet for images whose name contains
// `kaniko`; the buildah storage comes from the environment the kubelet sets.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { BUILD_DELAY_ENV, DROP_PUSH_ENV, REPORT_DIGEST_ENV } from './kaniko-env.js';
import { type KanikoBuild, parseKanikoArgs, registryOf } from './kaniko-flags.js';
import { copyManifest, manifestDigest } from './registry-copy.js';

const run = promisify(execFile);

function log(line: string): void {
  process.stderr.write(`[kaniko/buildah] ${line}\n`);
}

async function buildah(args: string[]): Promise<void> {
  log(`buildah ${args.join(' ')}`);
  const child = run('buildah', args, { maxBuffer: 256 * 1024 * 1024 });
  child.child.stdout?.pipe(process.stderr);
  child.child.stderr?.pipe(process.stderr);
  try {
    await child;
  } catch (err) {
    // Its output is in the log already; repeating it (execFile's message does) doubles the pod's last lines.
    const e = err as { code?: unknown; stderr?: unknown };
    throw Object.assign(new Error(`buildah ${args[0]} exited with code ${String(e.code ?? 'unknown')}`), {
      stderr: e.stderr,
    });
  }
}

/**
 * Builds share one buildah storage. Two builds that produce the same image
 * (equal `from` stages of two ImageBuilds) race: one's `buildah rmi` at its
 * end can remove the image the other is committing ("layer not known").
 * The build is repeated then, as a fresh Kaniko pod would do.
 */
async function budWithRetry(args: string[], attempts = 3): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await buildah(args);
    } catch (err) {
      const stderr = String((err as { stderr?: unknown }).stderr ?? '');
      if (i >= attempts || !/layer not known|image not known/.test(stderr)) throw err;
      log(
        `shared storage race (another build removed the same image): building again (${i + 1}/${attempts})`,
      );
    }
  }
}

function dockerfilePath(build: KanikoBuild): string {
  if (isAbsolute(build.dockerfile)) return build.dockerfile;
  if (existsSync(build.dockerfile)) return build.dockerfile;
  return join(build.contextDir, build.dockerfile);
}

function verifyTls(build: KanikoBuild, registry: string, forPull: boolean): boolean {
  if (build.insecureRegistries.includes(registry)) return false;
  return !(forPull ? build.insecurePull : build.insecure);
}

async function main(args: string[]): Promise<number> {
  let build: KanikoBuild;
  try {
    build = parseKanikoArgs(args);
  } catch (err) {
    log((err as Error).message);
    return 1;
  }
  const delay = Number(process.env[BUILD_DELAY_ENV] ?? 0);
  if (delay > 0) {
    log(`slowed down by the test kubelet: waiting ${delay}s before building`);
    await new Promise((r) => setTimeout(r, delay * 1000));
  }
  // Kaniko reads registry credentials from $DOCKER_CONFIG/config.json; buildah takes the same file.
  const authFile = process.env.DOCKER_CONFIG ? join(process.env.DOCKER_CONFIG, 'config.json') : '';
  const auth = authFile && existsSync(authFile) ? ['--authfile', authFile] : [];
  const image = build.destinations[0] ?? `localhost/kaniko-no-push-${process.pid}`;
  // Base images come from loopback registries; whether TLS is verified follows
  // Kaniko's pull flags (an HTTP registry without them fails, as with Kaniko).
  const pullTlsVerify = build.insecurePull || build.insecureRegistries.length > 0 ? 'false' : 'true';
  const budArgs = [
    'bud',
    '--format',
    'docker',
    '--isolation',
    'chroot',
    `--tls-verify=${pullTlsVerify}`,
    ...auth,
  ];
  budArgs.push('-f', dockerfilePath(build), '-t', image);
  for (const a of build.buildArgs) budArgs.push('--build-arg', a);
  for (const l of build.labels) budArgs.push('--label', l);
  if (build.target) budArgs.push('--target', build.target);
  budArgs.push(build.contextDir);
  await budWithRetry(budArgs);
  if (build.noPush) return 0;

  // drop-push: everything goes to one place off the destinations, which stay absent.
  const destinations =
    process.env[DROP_PUSH_ENV] === 'true'
      ? [`${registryOf(build.destinations[0]!)}/test-kubelet-dropped-pushes:${process.pid}`]
      : build.destinations;
  if (destinations !== build.destinations) log(`pushing to ${destinations[0]} instead (fault injection)`);
  const [first, ...rest] = destinations as [string, ...string[]];
  await buildah([
    'push',
    `--tls-verify=${verifyTls(build, registryOf(first), false)}`,
    ...auth,
    image,
    `docker://${first}`,
  ]);
  for (const destination of rest) {
    log(`copying ${first} to ${destination}`);
    await copyManifest(first, destination);
  }
  const digest = await manifestDigest(first);
  log(`pushed ${destinations.join(', ')} as ${digest}`);
  const reported = process.env[REPORT_DIGEST_ENV] || digest;
  if (reported !== digest) log(`reporting ${reported} instead (fault injection)`);
  if (build.digestFile) writeFileSync(build.digestFile, reported);
  if (build.imageNameWithDigestFile) {
    const names = build.destinations.map((d) => `${d.replace(/:[^:/]+$/, '')}@${digest}\n`);
    writeFileSync(build.imageNameWithDigestFile, names.join(''));
  }
  await run('buildah', ['rmi', image]).catch(() => {});
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    log(`build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
