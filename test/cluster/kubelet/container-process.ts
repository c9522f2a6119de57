import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const INIT_SCRIPT = fileURLToPath(new URL('./container-init.sh', import.meta.url));

export interface ContainerMount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface ContainerLaunch {
  /** '/' for programs of the host (the operator CLI, the Kaniko stand-in), else an image's root filesystem. */
  root: string;
  workingDir: string;
  /** `uid:gid` for chrooted images with runAsUser, else ''. */
  userspec: string;
  mounts: ContainerMount[];
  argv: string[];
  env: Record<string, string>;
  logFile: string;
}

export interface ContainerProcess {
  /** Resolves with the exit code; a signal N counts as 128+N, as a container runtime reports it. */
  exited: Promise<number>;
  signal(signal: NodeJS.Signals): void;
}

/** Starts a container's command in its own mount namespace and process group. */
export function startContainerProcess(launch: ContainerLaunch): ContainerProcess {
  const mountArgs = launch.mounts.flatMap((m) => [m.hostPath, m.containerPath, m.readOnly ? 'ro' : 'rw']);
  const fd = openSync(launch.logFile, 'a');
  const child = spawn(
    '/usr/bin/unshare',
    [
      '--mount',
      '--uts',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      INIT_SCRIPT,
      launch.root,
      launch.workingDir,
      launch.userspec,
      ...mountArgs,
      '--',
      ...launch.argv,
    ],
    { detached: true, stdio: ['ignore', fd, fd], env: launch.env },
  );
  closeSync(fd);
  let done = false;
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 9) : 9));
    });
    child.on('error', () => {
      done = true;
      resolve(128);
    });
  });
  return {
    exited,
    signal(signal) {
      if (done || child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal); // the whole group: buildah and friends too
      } catch {
        /* already gone */
      }
    },
  };
}
