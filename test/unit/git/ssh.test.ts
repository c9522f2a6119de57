import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitAuthError, type GitError } from '../../../src/git/errors.js';
import { GitRepositoryCache } from '../../../src/git/repository.js';
import { makeTempRoot, type SshGitServer, startSshGitServer, TestRepo } from './git-servers.js';

// A private repository over SSH: the key and known_hosts come from the
// Secret, host keys are always checked, failures are GitAuth and quiet.

const root = makeTempRoot();
const cache = new GitRepositoryCache({ dir: join(root, 'cache') });
const repo = new TestRepo(root, 'ssh');
const commit = repo.commit({ 'app/main.txt': 'over ssh' });
let server: SshGitServer;

beforeAll(async () => {
  server = await startSshGitServer(root);
});
afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A second key pair the server does not know. */
function otherKey(): string {
  const path = join(root, `other-${Math.random().toString(16).slice(2)}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
  return readFileSync(path, 'utf8');
}

async function authFailure(p: Promise<unknown>): Promise<GitError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GitAuthError);
  return e as GitError;
}

/** The base64 body lines of a private key: what must never show up anywhere. */
const keyBody = (key: string) => key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));

describe('ssh remotes', () => {
  it('resolves and fetches with the right key and known_hosts', async () => {
    const credentials = { kind: 'ssh' as const, privateKey: server.clientKey, knownHosts: server.knownHosts };
    const url = server.urlOf('ssh');
    expect(await cache.resolve({ url, credentials }, { kind: 'any', name: 'main' })).toMatchObject({
      commit,
    });
    const snapshot = await cache.fetch({ url, credentials }, commit);
    expect((await snapshot.readFile('app/main.txt'))?.toString()).toBe('over ssh');
  });

  it('fails with GitAuth for a key the server refuses, without echoing the key', async () => {
    const key = otherKey();
    const e = await authFailure(
      cache.resolve(
        {
          url: server.urlOf('ssh'),
          credentials: { kind: 'ssh', privateKey: key, knownHosts: server.knownHosts },
        },
        { kind: 'default' },
      ),
    );
    expect(e.message).toMatch(/Permission denied/);
    for (const line of keyBody(key)) expect(`${e.message}${e.stack}`).not.toContain(line);
  });

  it('fails with GitAuth when the host key does not match known_hosts', async () => {
    const wrongHost = server.knownHosts.replace(/ssh-ed25519 \S+/, `ssh-ed25519 ${otherKeyPublic()}`);
    const e = await authFailure(
      cache.resolve(
        {
          url: server.urlOf('ssh'),
          credentials: { kind: 'ssh', privateKey: server.clientKey, knownHosts: wrongHost },
        },
        { kind: 'default' },
      ),
    );
    expect(e.message).toMatch(/Host key verification failed/);
  });

  it('fails with GitAuth without credentials instead of prompting', async () => {
    await authFailure(cache.resolve({ url: server.urlOf('ssh') }, { kind: 'default' }));
  });
});

function otherKeyPublic(): string {
  const path = join(root, `host-${Math.random().toString(16).slice(2)}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
  return readFileSync(`${path}.pub`, 'utf8').split(' ')[1]!;
}
