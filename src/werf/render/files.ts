// werf's `.Files` over a caller-given file set (a directory in the CLI, the
// git source or a ConfigMap in the operator): Get, Glob, Exists, IsDir.
// Paths are project-relative with `/`; Glob uses werf's path matcher rule
// (a path matches glob G, G without trailing `*` segments, or that plus `/**/*`).
import { minimatch } from 'minimatch';
import { cleanPath } from '../config-paths.js';
import { FuncError } from './exec.js';
import { type GoMap, GoObject, type Value } from './values.js';

/** Project files: path relative to the project root (with `/`) -> content. */
export type FileSet = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

export function normalizeFileSet(files: FileSet | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!files) return out;
  const entries = files instanceof Map ? [...files.entries()] : Object.entries(files);
  for (const [p, content] of entries) out.set(normalizePath(p), content as string);
  return out;
}

/** Cleans a project path: `./x` -> `x`, `/x` -> `x`, `.`/`/`/'' -> ''. */
export function normalizePath(p: string): string {
  const c = cleanPath(p.replaceAll('\\', '/'));
  if (c === '.' || c === '/') return '';
  return c.replace(/^\/+/, '');
}

const matchOpts = { dot: true, nonegate: true, nocomment: true, noext: true, optimizationLevel: 2 } as const;

/** werf's three-pattern glob rule over project-relative paths. */
export function werfGlobMatch(glob: string, path: string): boolean {
  const g = normalizePath(glob);
  if (g === '' || /^(\*+\/?)+$/.test(g)) return true;
  if (minimatch(path, g, matchOpts)) return true;
  const t = g.replace(/(\/?\*+)+\/?$/, '');
  if (t === '') return true;
  return minimatch(path, t, matchOpts) || minimatch(path, `${t}/**/*`, matchOpts);
}

export function makeFilesObject(files: Map<string, string>): GoObject {
  const get = (p: string): string => {
    const key = normalizePath(p);
    const content = files.get(key);
    if (content === undefined)
      throw new FuncError(`file ${JSON.stringify(p)} not found in the project files`);
    return content;
  };
  const isDir = (p: string): boolean => {
    const key = normalizePath(p);
    if (key === '') return files.size > 0;
    const prefix = `${key}/`;
    for (const f of files.keys()) if (f.startsWith(prefix)) return true;
    return false;
  };
  return new GoObject(
    '*config.files',
    {},
    {
      Get: { params: ['string'], call: ([p]) => get(p as string) },
      Glob: {
        params: ['string'],
        call: ([g]) => {
          const out: GoMap = new Map();
          for (const [p, content] of files) if (werfGlobMatch(g as string, p)) out.set(p, content as Value);
          return out;
        },
      },
      Exists: {
        params: ['string'],
        call: ([p]) => files.has(normalizePath(p as string)) || isDir(p as string),
      },
      IsDir: { params: ['string'], call: ([p]) => isDir(p as string) },
    },
  );
}
