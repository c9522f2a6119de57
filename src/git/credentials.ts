import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitError } from './errors.js';

// Credentials for a git remote, taken from a Kubernetes Secret, and the way
// they reach git: through files in a private temporary folder (0700, files
// 0600, removed afterwards) that an askpass script or ssh reads. Never in a
// URL, an argument list (visible in /proc) or a message.

export type GitCredentials =
  /** HTTP(S) basic auth; for token auth the username is often ignored by the server. */
  | { kind: 'basic'; username: string; password: string }
  /** SSH private key (PEM/OpenSSH) and the known_hosts lines the server must match. */
  | { kind: 'ssh'; privateKey: string; knownHosts: string };

/**
 * Secret keys understood (Flux's GitRepository names and the Kubernetes
 * secret types `kubernetes.io/basic-auth` and `kubernetes.io/ssh-auth`):
 * basic: `username` (default `git`), `password` or `token`;
 * ssh: `identity` or `ssh-privatekey`, plus `known_hosts` (required: hosts are always verified).
 * When both kinds are present, the URL's scheme decides.
 */
export const SECRET_KEYS = {
  username: ['username'],
  password: ['password', 'token'],
  privateKey: ['identity', 'ssh-privatekey'],
  knownHosts: ['known_hosts'],
} as const;

function pick(data: Readonly<Record<string, string>>, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = data[k];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

export function isSshUrl(url: string): boolean {
  return /^ssh:\/\//i.test(url) || /^[^/:@]+@[^/:]+:/.test(url);
}

/** Credentials from decoded Secret data (key -> UTF-8 value). The message never contains a value. */
export function credentialsFromData(data: Readonly<Record<string, string>>, url: string): GitCredentials {
  const password = pick(data, SECRET_KEYS.password);
  const privateKey = pick(data, SECRET_KEYS.privateKey);
  const keys = Object.keys(data).sort().join(', ') || 'none';
  if (privateKey && (isSshUrl(url) || !password)) {
    const knownHosts = pick(data, SECRET_KEYS.knownHosts);
    if (!knownHosts) {
      throw new GitError(
        'GitCredentialsInvalid',
        `the Secret has an SSH key but no known_hosts entry (keys: ${keys}); the host key is always verified`,
      );
    }
    return { kind: 'ssh', privateKey, knownHosts };
  }
  if (password) return { kind: 'basic', username: pick(data, SECRET_KEYS.username) ?? 'git', password };
  throw new GitError(
    'GitCredentialsInvalid',
    `the Secret has neither password/token nor identity/ssh-privatekey (keys: ${keys})`,
  );
}

/** Decodes a Secret's `data` (base64 values, as the API returns them). */
export function credentialsFromSecretData(
  data: Readonly<Record<string, string>>,
  url: string,
): GitCredentials {
  const decoded: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) decoded[k] = Buffer.from(v, 'base64').toString('utf8');
  return credentialsFromData(decoded, url);
}

/** Reads a Secret mounted as a volume (one file per key), as the build pod's prepare container sees it. */
export async function credentialsFromSecretDir(dir: string, url: string): Promise<GitCredentials> {
  const data: Record<string, string> = {};
  for (const name of await readdir(dir)) {
    if (name.startsWith('.')) continue; // the kubelet's ..data symlinks
    data[name] = await readFile(join(dir, name), 'utf8');
  }
  return credentialsFromData(data, url);
}

/** The secret strings to mask in any text derived from a git run with these credentials. */
export function secretValues(creds: GitCredentials | undefined): string[] {
  if (!creds) return [];
  // `user:password` too: its base64 is what a Basic Authorization header carries.
  if (creds.kind === 'basic') return [creds.password, `${creds.username}:${creds.password}`];
  // A key's body lines are what could leak; each long line is masked on its own.
  return creds.privateKey.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
}

export interface GitAuthEnv {
  /** Environment variables to add to git's environment. */
  env: Record<string, string>;
  /** Removes the temporary files; safe to call twice. */
  cleanup(): Promise<void>;
}

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Prepares git's environment for one operation. Without credentials git is
 * told never to prompt, so a private remote fails fast as an auth error.
 */
export async function prepareAuthEnv(creds: GitCredentials | undefined): Promise<GitAuthEnv> {
  // An empty askpass answer makes git fail with "Authentication failed" instead of hanging.
  const base: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true' };
  if (!creds) {
    return { env: { ...base, GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' }, cleanup: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), 'stapel-git-auth-'));
  await chmod(dir, 0o700);
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const secretFile = async (name: string, content: string) => {
    const path = join(dir, name);
    await writeFile(path, content, { mode: 0o600 });
    return path;
  };
  try {
    if (creds.kind === 'basic') {
      const user = await secretFile('username', creds.username);
      const pass = await secretFile('password', creds.password);
      // git calls the askpass program with the prompt as its only argument.
      const script = await secretFile(
        'askpass',
        `#!/bin/sh\ncase "$1" in\n  Username*) cat ${shQuote(user)} ;;\n  *) cat ${shQuote(pass)} ;;\nesac\n`,
      );
      await chmod(script, 0o700);
      return { env: { ...base, GIT_ASKPASS: script, GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' }, cleanup };
    }
    const key = await secretFile(
      'identity',
      creds.privateKey.endsWith('\n') ? creds.privateKey : `${creds.privateKey}\n`,
    );
    const knownHosts = await secretFile('known_hosts', creds.knownHosts);
    const ssh = [
      'ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes',
      `-o GlobalKnownHostsFile=/dev/null -o UserKnownHostsFile=${shQuote(knownHosts)} -i ${shQuote(key)}`,
    ].join(' ');
    return { env: { ...base, GIT_SSH_COMMAND: ssh }, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
