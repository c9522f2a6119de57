import { join } from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { buildah } from '../registry/buildah.js';
import type { ContainerLaunch } from './container-process.js';
import { expandVariables } from './env.js';
import type { PodFaults } from './faults.js';
import type { Runtime } from './images.js';
import { BUILD_DELAY_ENV, DROP_PUSH_ENV, REPORT_DIGEST_ENV } from './kaniko-env.js';

export interface KubeletRuntimeContext {
  repoRoot: string;
  /** Absolute URL of tsx's ESM loader, so `--import` works from any working dir. */
  tsxLoader: string;
  buildahEnv: Record<string, string>;
}

export interface PreparedCommand {
  root: string;
  argv: string[];
  workingDir: string;
  userspec: string;
  /** Variables the image defines (PATH, ...); the container's env goes on top. */
  imageEnv: Record<string, string>;
  /** Extra variables for the program (buildah storage for the Kaniko stand-in). */
  runtimeEnv: Record<string, string>;
  cleanup(): Promise<void>;
}

/** Thrown when an image cannot be pulled: the container waits with ErrImagePull, as on a real node. */
export class ImagePullError extends Error {}

const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Kubernetes' rule: command replaces the entrypoint, args replace the image's cmd. */
export function resolveArgv(
  container: Pick<V1Container, 'command' | 'args'>,
  entrypoint: string[],
  cmd: string[],
  vars: Map<string, string>,
): string[] {
  const expand = (list: string[]) => list.map((s) => expandVariables(s, vars));
  if (container.command?.length) return expand([...container.command, ...(container.args ?? [])]);
  if (container.args?.length) return [...entrypoint, ...expand(container.args)];
  return [...entrypoint, ...cmd];
}

/** Finds what to execute for a container, by runtime (see images.ts). */
export async function prepareCommand(
  ctx: KubeletRuntimeContext,
  runtime: Runtime,
  pod: V1Pod,
  container: V1Container,
  vars: Map<string, string>,
  faults: Pick<PodFaults, 'buildDelaySeconds' | 'reportDigest' | 'dropPush'>,
): Promise<PreparedCommand> {
  const noCleanup = async () => {};
  const hostEnv = { PATH: HOST_PATH, HOME: '/root' };
  const workingDir = container.workingDir || '/';
  switch (runtime) {
    case 'operator': {
      // The image's entrypoint is the CLI: no command, or a command naming
      // `stapel-operator`, runs the checkout's CLI; any other command runs as given.
      const cli = [process.execPath, '--import', ctx.tsxLoader, join(ctx.repoRoot, 'src/cli/main.ts')];
      const first = container.command?.[0];
      const viaCli = first === undefined || first.endsWith('stapel-operator');
      const argv = viaCli
        ? [
            ...cli,
            ...resolveArgv(
              { args: [...(container.command?.slice(1) ?? []), ...(container.args ?? [])] },
              [],
              [],
              vars,
            ),
          ]
        : resolveArgv(container, [], [], vars);
      return {
        root: '/',
        argv,
        workingDir,
        userspec: '',
        imageEnv: hostEnv,
        runtimeEnv: {},
        cleanup: noCleanup,
      };
    }
    case 'kaniko': {
      const executor = [
        process.execPath,
        '--import',
        ctx.tsxLoader,
        join(ctx.repoRoot, 'test/cluster/kubelet/kaniko-executor.ts'),
      ];
      // Kaniko's entrypoint is /kaniko/executor: a command naming it is replaced too.
      const first = container.command?.[0];
      const args = container.command?.length
        ? first?.endsWith('executor')
          ? [...container.command.slice(1), ...(container.args ?? [])]
          : undefined
        : (container.args ?? []);
      if (!args)
        throw new Error(`container ${container.name}: a Kaniko image runs /kaniko/executor, not ${first}`);
      return {
        root: '/',
        argv: [...executor, ...args.map((a) => expandVariables(a, vars))],
        workingDir,
        userspec: '',
        imageEnv: hostEnv,
        runtimeEnv: {
          ...ctx.buildahEnv,
          [BUILD_DELAY_ENV]: String(faults.buildDelaySeconds),
          ...(faults.reportDigest ? { [REPORT_DIGEST_ENV]: faults.reportDigest } : {}),
          ...(faults.dropPush ? { [DROP_PUSH_ENV]: 'true' } : {}),
        },
        cleanup: noCleanup,
      };
    }
    case 'registry':
      return prepareRegistryImage(ctx, pod, container, vars);
    case 'unpullable':
      throw new ImagePullError(
        `image "${container.image}": the test kubelet cannot pull it (only images on a loopback registry, ` +
          'or names containing stapel-operator or kaniko, can run here)',
      );
  }
}

interface ImageConfig {
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  User?: string;
}

async function prepareRegistryImage(
  ctx: KubeletRuntimeContext,
  pod: V1Pod,
  container: V1Container,
  vars: Map<string, string>,
): Promise<PreparedCommand> {
  const image = container.image!;
  let id: string;
  try {
    const name = `k8s_${pod.metadata!.uid}_${container.name}_${Date.now()}`;
    id = await buildah(ctx.buildahEnv, [
      'from',
      '--name',
      name,
      '--tls-verify=false',
      '--pull',
      '--quiet',
      image,
    ]);
  } catch (err) {
    throw new ImagePullError(`failed to pull image "${image}": ${(err as Error).message}`);
  }
  const cleanup = async () => {
    await buildah(ctx.buildahEnv, ['rm', id]).catch(() => {});
  };
  try {
    const root = await buildah(ctx.buildahEnv, ['mount', id]);
    const inspected = JSON.parse(await buildah(ctx.buildahEnv, ['inspect', '--type', 'container', id])) as {
      OCIv1?: { config?: ImageConfig };
    };
    const config = inspected.OCIv1?.config ?? {};
    const imageEnv = Object.fromEntries(
      (config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );
    const uid = container.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
    const gid = container.securityContext?.runAsGroup ?? pod.spec?.securityContext?.runAsGroup ?? uid;
    return {
      root,
      argv: resolveArgv(container, config.Entrypoint ?? [], config.Cmd ?? [], vars),
      workingDir: container.workingDir || config.WorkingDir || '/',
      userspec: uid !== undefined ? `${uid}:${gid}` : '',
      imageEnv: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...imageEnv },
      runtimeEnv: {},
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

export type { ContainerLaunch };
