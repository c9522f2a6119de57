// Renders a werf.yaml Go template the way werf does (werf-stapel.md §1.1,
// §1.4): Go text/template semantics, sprig plus werf's functions, partials
// from `.werf/**/*.tmpl`, `.Files` over a caller-given file set and `env`
// over caller-given values (never the process environment).
//
// Bounds (each stops rendering with a RenderError naming the bound):
//   depth   200 nested template/include/tpl calls
//   output  16 Mi characters written in total (include/tpl results count too)
//   steps   5,000,000 actions, commands and range iterations
//   time    10 s wall clock
//   lists   at most 1,000,000 items built by one function call (until, seq, concat)
// All can be changed through `limits`.
import { builtins } from './builtins.js';
import { ExecError, ExecState, FuncError, LimitError, lineColumn, type TemplateFunc } from './exec.js';
import { type FileSet, makeFilesObject, normalizeFileSet, normalizePath } from './files.js';
import { defaultLimits, type Limits } from './limits.js';
import { type ParsedTemplate, parseTemplate, type TemplateSource, TemplateSyntaxError } from './parser.js';
import { sprigFunctions } from './sprig.js';
import type { GoMap, Value } from './values.js';
import { werfFunctions } from './werf-funcs.js';

export type { FileSet } from './files.js';
export type { Limits } from './limits.js';
export { defaultLimits } from './limits.js';

export interface RenderOptions {
  /** Project files, path relative to the project root -> content. `.Files` and partials read them. */
  files?: FileSet;
  /** Values the `env` function may read (the operator's own environment is never read). */
  env?: Readonly<Record<string, string>>;
  /** `.Env`: werf's --env value (an environment name such as "production"); default "". */
  werfEnv?: string;
  /** `.Commit`: the commit the config is rendered for. */
  commit?: { hash: string; date?: Date };
  /** Name used in error messages; default "werf.yaml". */
  fileName?: string;
  /** Folder holding partial templates (`**\/*.tmpl`), relative to the project root; default ".werf". */
  templatesDir?: string;
  /** `env NAME` without a default fails when NAME is unset (werf's giterminism); default true. */
  strictEnv?: boolean;
  /** Override the safety bounds. */
  limits?: Partial<Limits>;
}

/** A render failure at a position of the rendered template (1-based line and column). */
export class RenderError extends Error {
  constructor(
    /** The file the position refers to (werf.yaml or a partial). */
    readonly file: string,
    readonly line: number,
    readonly column: number,
    /** What went wrong, without the position. */
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'RenderError';
  }
}

/**
 * Renders werf.yaml text. Returns the rendered text, or throws RenderError.
 * Pure apart from the clock used for the time bound: same inputs, same output.
 */
export function renderWerfConfig(text: string, options: RenderOptions = {}): string {
  const fileName = options.fileName ?? 'werf.yaml';
  const limits: Limits = { ...defaultLimits, ...options.limits };
  const files = normalizeFileSet(options.files);
  const templates = new Map<string, ParsedTemplate>();
  // werf's functions (per render: they see this render's env and templates) shadow sprig's.
  const base = baseFunctions(limits);
  const own = new Map<string, TemplateFunc>();
  const funcs = { get: (name: string) => own.get(name) ?? base.get(name) };
  const hasFunction = (name: string) => own.has(name) || base.has(name);

  /** Parses `src` and adds its trees; a later non-empty definition replaces an earlier one. */
  const addTemplates = (name: string, source: TemplateSource) => {
    for (const [n, t] of parseTemplate(name, source, hasFunction)) {
      // Go's text/template keeps a non-empty template rather than replace it with an empty one.
      const old = templates.get(n);
      if (!old || !isEmpty(t) || isEmpty(old)) templates.set(n, t);
    }
  };

  const envMap = new Map(Object.entries(options.env ?? {}));
  const werf = werfFunctions({
    env: envMap,
    strictEnv: options.strictEnv ?? true,
    parseInto: (name, body) => {
      try {
        addTemplates(name, { file: name, text: body });
      } catch (e) {
        if (e instanceof TemplateSyntaxError) {
          const { line, column } = lineColumn(body, e.pos);
          throw new FuncError(`${name}:${line}:${column}: ${e.message}`);
        }
        throw e;
      }
    },
  });
  for (const [name, fn] of Object.entries(werf)) own.set(name, fn);

  // Partials first, in name order, then werf.yaml itself (its defines win).
  const dir = normalizePath(options.templatesDir ?? '.werf');
  const prefix = dir === '' ? '' : `${dir}/`;
  const partials = [...files.keys()]
    .filter((p) => p.startsWith(prefix) && p.endsWith('.tmpl'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let current: TemplateSource = { file: fileName, text };
  try {
    for (const p of partials) {
      current = { file: p, text: files.get(p)! };
      addTemplates(p.slice(prefix.length), current);
    }
    current = { file: fileName, text };
    addTemplates(fileName, current);
  } catch (e) {
    if (e instanceof TemplateSyntaxError) {
      const { line, column } = lineColumn(current.text, e.pos);
      throw new RenderError(current.file, line, column, e.message);
    }
    // Bounded nesting should prevent it; a stack overflow still becomes an error about this file.
    if (e instanceof RangeError && /call stack/i.test(e.message))
      throw new RenderError(current.file, 1, 1, 'template nested too deeply to parse (stack exhausted)');
    throw e;
  }

  const state = new ExecState(templates, funcs, limits);
  const data: GoMap = new Map<string, Value>([
    ['Files', makeFilesObject(files)],
    ['Env', options.werfEnv ?? ''],
    ['Commit', commitValue(options.commit)],
  ]);
  try {
    return state.executeTemplate(fileName, data);
  } catch (e) {
    if (e instanceof ExecError) throw new RenderError(e.source.file, e.line, e.column, e.message);
    if (e instanceof LimitError || (e instanceof RangeError && /call stack/i.test(e.message))) {
      const where = state.position;
      const reason = e instanceof LimitError ? e.message : 'template recursion too deep (stack exhausted)';
      if (where) {
        const { line, column } = lineColumn(where.source.text, where.pos);
        throw new RenderError(where.source.file, line, column, reason);
      }
      throw new RenderError(fileName, 1, 1, reason);
    }
    if (e instanceof FuncError) throw new RenderError(fileName, 1, 1, e.message);
    throw e;
  }
}

const baseCache = new Map<string, ReadonlyMap<string, TemplateFunc>>();

/** Go's builtins and sprig's functions for these limits; built once per distinct limits. */
function baseFunctions(limits: Limits): ReadonlyMap<string, TemplateFunc> {
  const key = JSON.stringify(limits);
  let base = baseCache.get(key);
  if (!base) {
    const m = new Map<string, TemplateFunc>(Object.entries(builtins));
    for (const [name, fn] of Object.entries(sprigFunctions(limits))) m.set(name, fn);
    if (baseCache.size > 16) baseCache.clear();
    baseCache.set(key, m);
    base = m;
  }
  return base;
}

function isEmpty(t: ParsedTemplate): boolean {
  return t.root.nodes.every((n) => n.type === 'comment' || (n.type === 'text' && n.text.trim() === ''));
}

/** `.Commit` as werf sets it: Hash, Date.Human (Go's time text), Date.Unix (seconds as text). */
function commitValue(commit: RenderOptions['commit']): GoMap {
  const date = commit?.date;
  return new Map<string, Value>([
    ['Hash', commit?.hash ?? ''],
    [
      'Date',
      new Map<string, Value>([
        ['Human', date ? goTimeString(date) : ''],
        ['Unix', date ? String(Math.floor(date.getTime() / 1000)) : ''],
      ]),
    ],
  ]);
}

/** Go's time.Time.String() for a UTC time: "2006-01-02 15:04:05 +0000 UTC". */
function goTimeString(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(
    d.getUTCMinutes(),
  )}:${p(d.getUTCSeconds())} +0000 UTC`;
}
