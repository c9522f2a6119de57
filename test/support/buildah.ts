// buildah for tests: vfs storage in a temp folder (no overlay or fuse) and
// chroot isolation (no OCI runtime), as root.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Buildah {
  (args: string[]): Promise<string>;
  /** Pulls (or uses a local) image, mounts its root filesystem and returns the mount path. */
  mountImage(image: string): Promise<string>;
  cleanup(): Promise<void>;
}

export function createBuildah(): Buildah {
  const root = mkdtempSync(join(tmpdir(), 'buildah-test-'));
  mkdirSync(join(root, 'graph'));
  mkdirSync(join(root, 'run'));
  const conf = join(root, 'storage.conf');
  writeFileSync(conf, `[storage]\ndriver = "vfs"\ngraphroot = "${root}/graph"\nrunroot = "${root}/run"\n`);
  const env = {
    ...process.env,
    CONTAINERS_STORAGE_CONF: conf,
    BUILDAH_ISOLATION: 'chroot',
    STORAGE_DRIVER: 'vfs',
  };
  const containers: string[] = [];
  const buildah = (async (args: string[]) => {
    try {
      const { stdout } = await run('buildah', args, { env, maxBuffer: 64 * 1024 * 1024 });
      return stdout.trim();
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`buildah ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
    }
  }) as Buildah;
  buildah.mountImage = async (image: string) => {
    const source = image.includes('/') && !image.startsWith('localhost/') ? `docker://${image}` : image;
    const ctr = await buildah(['from', '--tls-verify=false', '--pull', source]);
    containers.push(ctr);
    return buildah(['mount', ctr]);
  };
  buildah.cleanup = async () => {
    for (const c of containers) await buildah(['rm', c]).catch(() => {});
    await buildah(['rmi', '--all', '--force']).catch(() => {});
    rmSync(root, { recursive: true, force: true });
  };
  return buildah;
}
