import { splitUrlUserinfo } from './redact.js';

// Which git Secret an ImageBuild sends to a remote. spec.gitCredentials
// names Secrets for URL prefixes (the longest prefix wins, whole path
// segments only); spec.source.git.secretRef serves the project repository
// and remotes on its origin (scheme, host and port). A credential never goes
// to a remote the user did not name it for; other remotes are read anonymously.

/**
 * A remote URL as origin (`scheme://host[:port]`, lower case, default port
 * dropped, no user) and path (no trailing `/` or `.git`); scp-like
 * `user@host:path` counts as ssh://host/path. Undefined for anything else.
 */
export function remoteLocation(url: string): { origin: string; path: string } | undefined {
  const trimmed = url.trim();
  const cleanPath = (p: string) =>
    `/${p}`
      .replace(/\/+/g, '/')
      .replace(/\/+$/, '')
      .replace(/\.git$/, '');
  const scp = /^[^/:@]+@([^/:]+):(?!\/\/)(.*)$/.exec(trimmed);
  if (scp) return { origin: `ssh://${scp[1]!.toLowerCase()}`, path: cleanPath(scp[2]!) };
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/i.exec(splitUrlUserinfo(trimmed).url);
  if (!m) return undefined;
  let host = m[2]!.toLowerCase();
  const scheme = m[1]!.toLowerCase();
  const defaults: Record<string, string> = { https: '443', http: '80', ssh: '22' };
  if (defaults[scheme] && host.endsWith(`:${defaults[scheme]}`)) host = host.slice(0, host.lastIndexOf(':'));
  return { origin: `${scheme}://${host}`, path: cleanPath(m[3]!) };
}

/** `scheme://host:port` of a URL (scp-like `user@host:path` counts as ssh://host), or undefined. */
export function remoteOrigin(url: string): string | undefined {
  return remoteLocation(url)?.origin;
}

/** True when the Secret given for `sourceUrl` may be sent to `url`. */
export function credentialsApply(sourceUrl: string, url: string): boolean {
  const a = remoteOrigin(sourceUrl);
  return a !== undefined && a === remoteOrigin(url);
}

/** A Secret named for git remotes, and the field that named it (for messages). */
export interface GitSecretRule {
  /** spec.gitCredentials[i].url; undefined for spec.source.git.secretRef (which serves its origin). */
  prefix: string | undefined;
  /** The URL the rule was written for: the prefix, or spec.source.git.url. */
  url: string;
  secretName: string;
  field: string;
}

/** The rules of an ImageBuild spec, in the order they are checked: gitCredentials, then the project's Secret. */
export function gitSecretRules(spec: {
  gitCredentials?: readonly { url: string; secretRef: { name: string } }[];
  source?: { git?: { url: string; secretRef?: { name: string } } };
}): GitSecretRule[] {
  const rules: GitSecretRule[] = (spec.gitCredentials ?? []).map((c, i) => ({
    prefix: c.url,
    url: c.url,
    secretName: c.secretRef.name,
    field: `spec.gitCredentials[${i}].secretRef`,
  }));
  const source = spec.source?.git;
  if (source?.secretRef) {
    rules.push({
      prefix: undefined,
      url: source.url,
      secretName: source.secretRef.name,
      field: 'spec.source.git.secretRef',
    });
  }
  return rules;
}

/**
 * A path git or the server could read differently from its text: `.` or
 * `..` segments (also percent-encoded), a query or a fragment. Such a URL
 * gets no Secret by prefix: `host/libs/../other` must not pass as `host/libs`.
 */
function ambiguousPath(url: string): boolean {
  const rest = url
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '')
    .replace(/^[^/:@]+@[^/:]+:/, '');
  if (/[?#]/.test(rest)) return true;
  let decoded = rest;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return true;
  }
  return decoded.split(/[/\\]/).some((segment) => segment === '.' || segment === '..');
}

/** True when `url` lies under `prefix`: same origin, and the prefix's path is a whole-segment prefix. */
export function urlUnderPrefix(prefix: string, url: string): boolean {
  const p = remoteLocation(prefix);
  const u = remoteLocation(url);
  if (!p || !u || p.origin !== u.origin || ambiguousPath(url)) return false;
  return p.path === '' || u.path === p.path || u.path.startsWith(`${p.path}/`);
}

/**
 * The rule whose Secret is sent to `url`: the gitCredentials entry with the
 * longest matching prefix, else the project's Secret when `url` is on its
 * origin, else none (the remote is read anonymously).
 */
export function gitSecretRuleFor(rules: readonly GitSecretRule[], url: string): GitSecretRule | undefined {
  let best: GitSecretRule | undefined;
  let bestLength = -1;
  for (const rule of rules) {
    if (rule.prefix === undefined || !urlUnderPrefix(rule.prefix, url)) continue;
    const length = remoteLocation(rule.prefix)!.path.length;
    if (length > bestLength) {
      best = rule;
      bestLength = length;
    }
  }
  return best ?? rules.find((r) => r.prefix === undefined && credentialsApply(r.url, url));
}
