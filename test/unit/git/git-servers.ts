import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// Real git remotes on loopback for tests: repositories made in a temp folder
// with the git CLI, served by `git http-backend` behind a small Node HTTP
// server (optionally with Basic auth) and by `git daemon`.

const quietEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.invalid',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.invalid',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: quietEnv, encoding: 'utf8' }).trim();
}

/** A working repository whose bare twin (`bare`) is what servers publish. */
export class TestRepo {
  readonly work: string;
  constructor(
    readonly root: string,
    readonly name: string,
  ) {
    this.work = join(root, 'work', name);
    mkdirSync(this.work, { recursive: true });
    git(this.work, 'init', '--quiet', '--initial-branch=main');
    git(root, 'init', '--bare', '--quiet', '--initial-branch=main', this.bare);
    git(this.work, 'remote', 'add', 'origin', this.bare);
  }
  get bare(): string {
    return join(this.root, 'repos', `${this.name}.git`);
  }
  get fileUrl(): string {
    return `file://${this.bare}`;
  }
  /** Writes files (content string; `{link}` for a symlink; `{exec}` for 0755), commits and pushes; returns the commit. */
  commit(
    files: Record<string, string | { link: string } | { exec: string } | null>,
    message = 'change',
  ): string {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.work, path);
      rmSync(full, { force: true });
      if (content === null) continue;
      mkdirSync(dirname(full), { recursive: true });
      if (typeof content === 'string') writeFileSync(full, content, { mode: 0o644 });
      else if ('link' in content) execFileSync('ln', ['-s', content.link, full]);
      else writeFileSync(full, content.exec, { mode: 0o755 });
    }
    git(this.work, 'add', '-A');
    git(this.work, 'commit', '--quiet', '--allow-empty', '-m', message);
    git(this.work, 'push', '--quiet', '--force', 'origin', 'HEAD:main', '--tags');
    return git(this.work, 'rev-parse', 'HEAD');
  }
  branch(name: string): void {
    git(this.work, 'push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${name}`);
  }
  tag(name: string, annotated = false): void {
    if (annotated) git(this.work, 'tag', '-f', '-a', '-m', name, name);
    else git(this.work, 'tag', '-f', name);
    git(this.work, 'push', '--quiet', '--force', 'origin', `refs/tags/${name}`);
  }
}

export function makeTempRoot(prefix = 'stapel-git-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface HttpGitServer {
  /** `http://127.0.0.1:PORT/` + repo name + `.git`. */
  urlOf(name: string): string;
  /** Every request line and Authorization header the server saw (to check what was sent). */
  requests: { path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

/** Serves `<root>/repos/*.git` through git http-backend; with `auth`, every request needs that Basic credential. */
export async function startHttpGitServer(
  root: string,
  auth?: { username: string; password: string },
  /** Runs before an authorized request is served, while the git client waits for the answer. */
  beforeServe?: () => Promise<void>,
  /** A fixed port (the demo keeps its git URL across runs); default a free one. */
  port = 0,
): Promise<HttpGitServer> {
  const requests: HttpGitServer['requests'] = [];
  const expected = auth
    ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
    : undefined;
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ path: url.pathname, authorization: req.headers.authorization });
    if (expected && req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end();
      return;
    }
    req.pause();
    await beforeServe?.();
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: join(root, 'repos'),
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: (req.headers['content-encoding'] as string | undefined) ?? '',
        GIT_PROTOCOL: (req.headers['git-protocol'] as string | undefined) ?? '',
        REMOTE_USER: auth?.username ?? '',
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    cgi.stdout.on('end', () => res.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const listening = (server.address() as AddressInfo).port;
  return {
    urlOf: (name) => `http://127.0.0.1:${listening}/${name}.git`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

export interface DaemonGitServer {
  urlOf(name: string): string;
  close(): Promise<void>;
}

/** Serves `<root>/repos` with `git daemon` (git:// protocol, no auth) on a free loopback port. */
export async function startGitDaemon(root: string): Promise<DaemonGitServer> {
  const port = await freePort();
  const base = join(root, 'repos');
  const daemon: ChildProcess = spawn(
    'git',
    [
      'daemon',
      '--reuseaddr',
      '--export-all',
      `--base-path=${base}`,
      '--listen=127.0.0.1',
      `--port=${port}`,
      base,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: quietEnv },
  );
  // git daemon prints nothing when ready; wait until the port accepts a connection.
  await waitForPort(port);
  return {
    urlOf: (name) => `git://127.0.0.1:${port}/${name}.git`,
    close: () =>
      new Promise((resolve) => {
        daemon.once('exit', () => resolve());
        daemon.kill();
      }),
  };
}

export interface SshGitServer {
  /** `ssh://root@127.0.0.1:PORT/<root>/repos/<name>.git` */
  urlOf(name: string): string;
  /** A private key the server accepts (OpenSSH format). */
  clientKey: string;
  /** A known_hosts line for this server's host key. */
  knownHosts: string;
  close(): Promise<void>;
}

/**
 * Serves `<root>/repos` over SSH with a throwaway OpenSSH server on a free
 * loopback port: its own host key, one accepted client key, no passwords.
 * Needs root (sshd switches to the login user) and Debian's openssh-server.
 */
export async function startSshGitServer(root: string): Promise<SshGitServer> {
  const dir = join(root, 'sshd');
  mkdirSync(dir, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege separation directory
  const keygen = (name: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
  keygen('host_key');
  keygen('client_key');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')), { mode: 0o600 });
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    'StrictModes no',
  ].join('\n');
  writeFileSync(join(dir, 'sshd_config'), `${config}\n`);
  const sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
  await waitForPort(port);
  const user = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
  const hostKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  return {
    urlOf: (name) => `ssh://${user}@127.0.0.1:${port}${join(root, 'repos', `${name}.git`)}`,
    clientKey: readFileSync(join(dir, 'client_key'), 'utf8'),
    knownHosts: `[127.0.0.1]:${port} ${hostKey}\n`,
    close: () =>
      new Promise((resolve) => {
        sshd.once('exit', () => resolve());
        sshd.kill();
      }),
  };
}
