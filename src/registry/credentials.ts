// Registry credentials from Docker's config.json / a Kubernetes
// `kubernetes.io/dockerconfigjson` Secret. Values are kept inside this
// module's objects and never formatted into messages.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DOCKER_HUB } from './reference.js';

export type RegistryCredential =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'identityToken'; token: string };

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

export class CredentialsFormatError extends Error {
  constructor(source: string, reason: string) {
    super(`registry credentials in ${source}: ${reason}`);
    this.name = 'CredentialsFormatError';
  }
}

const hubKeys = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'index.docker.io/v1']);

/** One `auths` key split into host (lowercase, with port) and optional path prefix. */
function parseKey(key: string): { host: string; path: string } {
  const noScheme = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = noScheme.indexOf('/');
  const host = (slash < 0 ? noScheme : noScheme.slice(0, slash)).toLowerCase();
  const path = slash < 0 ? '' : noScheme.slice(slash + 1).replace(/\/+$/, '');
  return { host, path };
}

/** Kubernetes-style host matching: `*` matches exactly one DNS label; ports must be equal. */
function hostMatches(pattern: string, host: string): boolean {
  const [pHost, pPort] = splitPort(pattern);
  const [hHost, hPort] = splitPort(host);
  if (pPort !== hPort) return false;
  const p = pHost.split('.');
  const h = hHost.split('.');
  return p.length === h.length && p.every((label, i) => label === '*' || label === h[i]);
}

function splitPort(hostPort: string): [string, string] {
  const m = /^(.*?)(?::(\d+))?$/.exec(hostPort) as RegExpExecArray;
  return [m[1] as string, m[2] ?? ''];
}

export class CredentialStore {
  private constructor(
    private readonly entries: Array<{ key: string; host: string; path: string; cred: RegistryCredential }>,
  ) {}

  static empty(): CredentialStore {
    return new CredentialStore([]);
  }

  /** Parses config.json / `.dockerconfigjson` text. `source` names it in errors (never the content). */
  static fromJson(text: string, source: string): CredentialStore {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new CredentialsFormatError(source, 'not valid JSON');
    }
    if (typeof doc !== 'object' || doc === null)
      throw new CredentialsFormatError(source, 'not a JSON object');
    const auths = (doc as { auths?: unknown }).auths ?? {};
    if (typeof auths !== 'object' || auths === null)
      throw new CredentialsFormatError(source, '"auths" is not an object');
    const entries = [];
    for (const [key, raw] of Object.entries(auths as Record<string, unknown>)) {
      const e = (raw ?? {}) as AuthEntry;
      let cred: RegistryCredential | undefined;
      if (typeof e.identitytoken === 'string' && e.identitytoken !== '') {
        cred = { kind: 'identityToken', token: e.identitytoken };
      } else if (typeof e.auth === 'string' && e.auth !== '') {
        const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0)
          throw new CredentialsFormatError(source, `"auth" of entry "${key}" is not base64 of user:password`);
        cred = { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      } else if (typeof e.username === 'string' && typeof e.password === 'string') {
        cred = { kind: 'basic', username: e.username, password: e.password };
      }
      if (cred) entries.push({ key, ...parseKey(key), cred });
    }
    return new CredentialStore(entries);
  }

  /** Reads `$DOCKER_CONFIG/config.json` (default `~/.docker`); no file means no credentials. */
  static async fromDockerConfigDir(
    dir = process.env.DOCKER_CONFIG ?? join(process.env.HOME ?? '/root', '.docker'),
  ) {
    const file = join(dir, 'config.json');
    try {
      return CredentialStore.fromJson(await readFile(file, 'utf8'), file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return CredentialStore.empty();
      throw e;
    }
  }

  /**
   * Credentials for a repository, most specific entry first: exact host
   * before wildcards, longer path prefixes before shorter.
   */
  lookup(registry: string, repository: string): RegistryCredential[] {
    const host = registry.toLowerCase();
    const candidates = this.entries.filter((e) => {
      const hostOk =
        host === DOCKER_HUB
          ? hubKeys.has(e.host) || hubKeys.has(`${e.host}/${e.path}`)
          : hostMatches(e.host, host);
      if (!hostOk) return false;
      if (host === DOCKER_HUB && (e.path === 'v1' || e.path === '')) return true;
      return e.path === '' || repository === e.path || repository.startsWith(`${e.path}/`);
    });
    const score = (e: { host: string; path: string }) => (e.host.includes('*') ? 0 : 1000) + e.path.length;
    return candidates.sort((a, b) => score(b) - score(a)).map((e) => e.cred);
  }
}
