import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Environment for every buildah call of a test cluster: vfs storage in the
 * cluster's state dir (no overlay or fuse needed) and chroot isolation (no OCI
 * runtime needed). Each cluster gets its own storage so runs do not interfere.
 */
export function buildahEnvironment(stateDir: string): Record<string, string> {
  const root = join(stateDir, 'buildah');
  const conf = join(root, 'storage.conf');
  mkdirSync(join(root, 'graph'), { recursive: true });
  mkdirSync(join(root, 'run'), { recursive: true });
  writeFileSync(
    conf,
    `[storage]\ndriver = "vfs"\ngraphroot = "${join(root, 'graph')}"\nrunroot = "${join(root, 'run')}"\n`,
  );
  return { CONTAINERS_STORAGE_CONF: conf, BUILDAH_ISOLATION: 'chroot', STORAGE_DRIVER: 'vfs' };
}

/** Runs buildah with the given environment; resolves with trimmed stdout, rejects with its stderr. */
export async function buildah(env: Record<string, string>, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('buildah', args, {
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`buildah ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}
