// Path helpers with the semantics werf relies on: Go's `filepath.Clean` with
// forward slashes, and whole-segment prefix tests.

/** Go `path.Clean`: `/app/` -> `/app`, `a/./b` -> `a/b`, `` -> `.`, `/..` -> `/`. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(segment);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/');
}

/** Relative and not escaping its base: `a/b`, `*.js`, `.` but not `/a`, `..`, `../a`. */
export function isContainedRelativePath(path: string): boolean {
  if (isAbsolutePath(path)) return false;
  const cleaned = cleanPath(path);
  return cleaned !== '..' && !cleaned.startsWith('../');
}

/** werf's `isSubPath(base, path)`: `path` is `base` or lies below it (whole segments). */
export function isSameOrBelow(base: string, path: string): boolean {
  const withSlash = `${base.replace(/\/+$/, '')}/`;
  return path === base || path.startsWith(withSlash);
}

/** Go `path.Join` of segments, then cleaned; empty segments are skipped. */
export function joinPaths(...parts: string[]): string {
  const nonEmpty = parts.filter((p) => p !== '');
  return nonEmpty.length === 0 ? '' : cleanPath(nonEmpty.join('/'));
}

/** Go `filepath.Rel` for two cleaned absolute paths where `target` is `base` or below it. */
export function relativeBelow(base: string, target: string): string {
  if (base === target) return '.';
  if (base === '/') return target.slice(1);
  return target.slice(base.length + 1);
}
