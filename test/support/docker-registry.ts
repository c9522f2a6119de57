// Starts Debian's docker-registry (distribution 2.x) on a free loopback port
// with its own config and storage, optionally behind htpasswd Basic auth.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalRegistry {
  host: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A bcrypt (cost 5) htpasswd line for user `tester` with password `registry-test-pw`. */
export const TEST_HTPASSWD = 'tester:$2b$05$pTF15/N0lUUmFzIv34d4BeZjHVALJUwYUFQjmuy66ZNCFv9Ug5rei';
export const TEST_USER = 'tester';
export const TEST_PASSWORD = 'registry-test-pw';

export async function startDockerRegistry(options: { htpasswd?: string } = {}): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'docker-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const auth = options.htpasswd
    ? `auth:\n  htpasswd:\n    realm: test-realm\n    path: ${join(dir, 'htpasswd')}\n`
    : '';
  if (options.htpasswd) writeFileSync(join(dir, 'htpasswd'), `${options.htpasswd}\n`);
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n${auth}`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited (${child.exitCode}): ${stderr.trim()}`);
    const ok = await fetch(`http://${host}/v2/`).then(
      (r) => r.status === 200 || r.status === 401,
      () => false,
    );
    if (ok) return { host, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry on ${host} did not answer within 20s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
