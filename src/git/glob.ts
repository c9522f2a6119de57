import { minimatch } from 'minimatch';

// werf's include/exclude glob rules (werf-stapel.md §5.2), the part git
// selection needs: does a path relative to `add` match a glob? A path P
// matches glob G when P matches G itself, T (G without trailing segments made
// only of `*`), or `T/**/*`, so a plain name selects that file or directory
// and everything below it. Temporary until the shared werf glob matcher lands
// on main; git code only calls `matchesGlob` and `passesFilter`.

const options = { dot: true, noext: true, nocomment: true, nonegate: true, nocase: false } as const;

/** Cleans a relative path or glob the way werf does: `./x` -> `x`, `.`, `/` and "" -> "". */
export function cleanRelative(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  return parts.join('/');
}

/** Whether every path matches: "", `.`, or only `*`/`**` segments. */
function isUniversal(glob: string): boolean {
  return glob === '' || glob.split('/').every((s) => s === '*' || s === '**');
}

/** `G` without its trailing all-star segments. */
function trimStars(glob: string): string {
  const parts = glob.split('/');
  while (parts.length > 0 && /^\*+$/.test(parts[parts.length - 1]!)) parts.pop();
  return parts.join('/');
}

/** Does `relPath` (relative to `add`, "" = `add` itself) match `glob` by werf's rules? */
export function matchesGlob(relPath: string, glob: string): boolean {
  const path = cleanRelative(relPath);
  const g = cleanRelative(glob);
  if (isUniversal(g)) return true;
  if (path === '') return false;
  if (minimatch(path, g, options)) return true;
  const t = trimStars(g);
  if (t === '') return true;
  return minimatch(path, t, options) || minimatch(path, `${t}/**/*`, options);
}

/** includePaths empty = everything; then any exclude match drops the path. */
export function passesFilter(
  relPath: string,
  includePaths: readonly string[],
  excludePaths: readonly string[],
): boolean {
  if (includePaths.length > 0 && !includePaths.some((g) => matchesGlob(relPath, g))) return false;
  return !excludePaths.some((g) => matchesGlob(relPath, g));
}
