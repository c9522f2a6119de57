import { splitUrlUserinfo } from './redact.js';

// Which remotes an ImageBuild's git Secret is sent to: its project
// repository (spec.source.git.url) and remotes on the same origin (scheme,
// host and port). A credential never goes to a host the user did not name
// for it; remotes elsewhere are read anonymously.

/** `scheme://host:port` of a URL (scp-like `user@host:path` counts as ssh://host), or undefined. */
export function remoteOrigin(url: string): string | undefined {
  const trimmed = url.trim();
  const scp = /^[^/:@]+@([^/:]+):(?!\/\/)/.exec(trimmed);
  if (scp) return `ssh://${scp[1]!.toLowerCase()}`;
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(splitUrlUserinfo(trimmed).url);
  if (!m) return undefined;
  let host = m[2]!.toLowerCase();
  const scheme = m[1]!.toLowerCase();
  const defaults: Record<string, string> = { https: '443', http: '80', ssh: '22' };
  if (defaults[scheme] && host.endsWith(`:${defaults[scheme]}`)) host = host.slice(0, host.lastIndexOf(':'));
  return `${scheme}://${host}`;
}

/** True when the Secret given for `sourceUrl` may be sent to `url`. */
export function credentialsApply(sourceUrl: string, url: string): boolean {
  const a = remoteOrigin(sourceUrl);
  return a !== undefined && a === remoteOrigin(url);
}
