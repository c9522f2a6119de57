// werf's include/exclude path semantics (werf-stapel.md §5.2), shared by
// imports (src/registry, prepare) and git mappings (src/git).
//
// Two layers:
//  - `globMatch(glob, path)`: the glob engine werf uses (doublestar v4
//    PathMatch on '/'-separated paths), re-implemented and checked against
//    the real library by test/oracles/doublestar.
//  - `matchesWerfGlob(path, glob)` and `createPathFilter()`: werf's rules on
//    top of it (cleaning, the three-pattern rule, include/exclude).

import { cleanPath } from './config-paths.js';

/** A glob that doublestar (and therefore werf, which then exits) rejects. */
export class GlobSyntaxError extends Error {
  constructor(
    readonly glob: string,
    reason: string,
  ) {
    super(`invalid glob ${JSON.stringify(glob)}: ${reason}`);
    this.name = 'GlobSyntaxError';
  }
}

// ---------------------------------------------------------------- cleaning

// Path cleaning is Go's path.Clean, shared with the model (config-paths.ts).
export { cleanPath };

/** werf's `formatPath`: "" and "." mean the root of `add` and become "". */
export function formatRelPath(p: string): string {
  if (p === '' || p === '.') return '';
  return cleanPath(p);
}

/** Joins path parts like Go's `path.Join` (empty parts ignored, result cleaned, "" when all empty). */
function joinPath(...parts: string[]): string {
  const nonEmpty = parts.filter((p) => p !== '');
  return nonEmpty.length === 0 ? '' : cleanPath(nonEmpty.join('/'));
}

/** Drops trailing segments made only of `*` (and empty ones): `a/*\/**` -> `a`, `**\/*` -> "". */
export function trimTrailingStars(glob: string): string {
  const parts = glob.split('/');
  while (parts.length > 0 && (parts[parts.length - 1] ?? '').replace(/\*+$/, '') === '') parts.pop();
  return joinPath(...parts);
}

// ------------------------------------------------------------ glob engine

type Token =
  | { kind: 'lit'; ch: string; escaped: boolean }
  | { kind: 'any' } // ?
  | { kind: 'star' } // *
  | { kind: 'starstar' } // ** (a globstar only at a segment start, see match)
  | { kind: 'class'; negate: boolean; singles: string[]; ranges: Array<[number, number]> }
  | { kind: 'alt'; options: Token[][] };

const compiled = new Map<string, Token[]>();

function compile(glob: string): Token[] {
  let tokens = compiled.get(glob);
  if (!tokens) {
    validateGlob(glob);
    tokens = tokenize(Array.from(glob), glob);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(glob, tokens);
  }
  return tokens;
}

/** Throws GlobSyntaxError when doublestar would report ErrBadPattern for the glob. */
export function validateGlob(glob: string): void {
  const cs = Array.from(glob);
  let depth = 0;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    if (c === '\\') {
      if (++i >= cs.length) throw new GlobSyntaxError(glob, 'ends with an unfinished escape "\\"');
    } else if (c === '[') {
      i++;
      if (cs[i] === '^' || cs[i] === '!') i++;
      if (i >= cs.length || cs[i] === ']') throw new GlobSyntaxError(glob, 'empty or unterminated "[...]"');
      while (i < cs.length && cs[i] !== ']') i += cs[i] === '\\' ? 2 : 1;
      if (i >= cs.length) throw new GlobSyntaxError(glob, 'unterminated "[...]"');
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      if (depth === 0) throw new GlobSyntaxError(glob, '"}" without "{"');
      depth--;
    }
  }
  if (depth !== 0) throw new GlobSyntaxError(glob, 'unterminated "{...}"');
}

/** Index of the `}` closing the `{` just before `from`, counting nesting and skipping escapes. */
function closingBrace(cs: string[], from: number): number {
  let depth = 1;
  for (let i = from; i < cs.length; i++) {
    if (cs[i] === '\\') i++;
    else if (cs[i] === '{') depth++;
    else if (cs[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Splits the inside of `{...}` at its top-level commas. */
function splitAlternatives(cs: string[]): string[][] {
  const out: string[][] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < cs.length; i++) {
    if (cs[i] === '\\') i++;
    else if (cs[i] === '{') depth++;
    else if (cs[i] === '}') depth--;
    else if (cs[i] === ',' && depth === 0) {
      out.push(cs.slice(start, i));
      start = i + 1;
    }
  }
  out.push(cs.slice(start));
  return out;
}

function tokenize(cs: string[], glob: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i] as string;
    if (c === '*') {
      if (cs[i + 1] === '*') {
        tokens.push({ kind: 'starstar' });
        i++;
      } else tokens.push({ kind: 'star' });
    } else if (c === '?') {
      tokens.push({ kind: 'any' });
    } else if (c === '\\') {
      tokens.push({ kind: 'lit', ch: cs[++i] as string, escaped: true });
    } else if (c === '[') {
      let j = i + 1;
      const negate = cs[j] === '^' || cs[j] === '!';
      if (negate) j++;
      const singles: string[] = [];
      const ranges: Array<[number, number]> = [];
      let last: string | undefined;
      while (cs[j] !== ']') {
        let ch = cs[j++] as string;
        if (last !== undefined && ch === '-' && j < cs.length && cs[j] !== ']') {
          if (cs[j] === '\\') j++;
          const hi = cs[j++] as string;
          // The low end stays a single too (doublestar: `[c-a]` matches `c`).
          ranges.push([last.codePointAt(0) as number, hi.codePointAt(0) as number]);
          // A range consumes its low end: a following '-' is literal again.
          last = undefined;
          continue;
        }
        if (ch === '\\') ch = cs[j++] as string;
        singles.push(ch);
        last = ch;
      }
      tokens.push({ kind: 'class', negate, singles, ranges });
      i = j;
    } else if (c === '{') {
      const end = closingBrace(cs, i + 1);
      if (end < 0) throw new GlobSyntaxError(glob, 'unterminated "{...}"');
      const options = splitAlternatives(cs.slice(i + 1, end)).map((alt) => tokenize(alt, glob));
      tokens.push({ kind: 'alt', options });
      i = end;
    } else {
      tokens.push({ kind: 'lit', ch: c, escaped: false });
    }
  }
  return tokens;
}

function classMatches(t: Extract<Token, { kind: 'class' }>, ch: string): boolean {
  const cp = ch.codePointAt(0) as number;
  const hit = t.singles.includes(ch) || t.ranges.some(([lo, hi]) => lo <= cp && cp <= hi);
  return hit !== t.negate;
}

const zeroLengthRests = new Set(['', '*', '**', '/**', '**/', '/**/']);

/**
 * Whether the rest of a pattern matches once the name is used up. As in
 * doublestar this is decided on the remaining pattern text alone: only the
 * empty pattern, `*`, and a trailing `**` with optional slashes (so `a/**`
 * matches the directory `a`) qualify; alternatives are tried one by one.
 */
function restMatchesEmpty(tokens: Token[], ti: number): boolean {
  let text = '';
  for (let k = ti; k < tokens.length; k++) {
    const t = tokens[k] as Token;
    if (t.kind === 'alt') {
      if (text !== '') return false;
      const rest = tokens.slice(k + 1);
      return t.options.some((opt) => restMatchesEmpty([...opt, ...rest], 0));
    }
    if (t.kind === 'star') text += '*';
    else if (t.kind === 'starstar') text += '**';
    else if (t.kind === 'lit' && t.ch === '/' && !t.escaped) text += '/';
    else return false;
    if (text.length > 4) return false;
  }
  return zeroLengthRests.has(text);
}

function isSeparator(t: Token | undefined): boolean {
  return t !== undefined && t.kind === 'lit' && t.ch === '/' && !t.escaped;
}

/** Where the matcher resumes when the current attempt fails: a token and a name position (-1 = none). */
interface Backtrack {
  ti: number;
  ni: number;
}

/**
 * The matching loop. It deliberately keeps doublestar's search discipline
 * rather than a full search: only the most recent `*` and the most recent
 * `**` segment can be retried. The two differ when a character class
 * matches '/', so exactness (checked by the oracle) needs the same
 * discipline.
 */
function run(tokens: Token[], ti: number, name: string[], ni: number, ds: Backtrack, st: Backtrack): boolean {
  let segStart = true;
  while (ni < name.length) {
    const t = tokens[ti];
    const ch = name[ni] as string;
    let advanced = false;
    if (t !== undefined) {
      switch (t.kind) {
        case 'starstar':
          if (segStart && ti === tokens.length - 1) return true;
          if (segStart && isSeparator(tokens[ti + 1])) {
            ti += 2;
            ds = { ti, ni };
            st = { ti: -1, ni: -1 };
            continue;
          }
          segStart = false;
          st = { ti: ti + 1, ni };
          ti++;
          continue;
        case 'star':
          segStart = false;
          st = { ti: ti + 1, ni };
          ti++;
          continue;
        case 'alt': {
          // Each alternative is spliced into the pattern in place of the
          // braces and matched from here with the same retry points.
          const before = tokens.slice(0, ti);
          const after = tokens.slice(ti + 1);
          return t.options.some((opt) => run([...before, ...opt, ...after], ti, name, ni, ds, st));
        }
        case 'any':
          segStart = false;
          advanced = ch !== '/';
          break;
        case 'class':
          // Like doublestar, a class is not stopped by the separator.
          segStart = false;
          advanced = classMatches(t, ch);
          break;
        case 'lit':
          advanced = t.ch === ch;
          if (advanced) segStart = ch === '/';
          break;
      }
      if (advanced) {
        ti++;
        ni++;
        continue;
      }
    }
    if (st.ti >= 0 && name[st.ni] !== '/') {
      // Let the last `*` swallow one more character.
      st = { ti: st.ti, ni: st.ni + 1 };
      ti = st.ti;
      ni = st.ni;
      segStart = false;
      continue;
    }
    if (ds.ti >= 0) {
      // Let the last `**` swallow one more whole segment.
      const slash = name.indexOf('/', ds.ni);
      if (slash >= 0) {
        ds = { ti: ds.ti, ni: slash + 1 };
        ti = ds.ti;
        ni = ds.ni;
        segStart = true;
        continue;
      }
    }
    return false;
  }
  return restMatchesEmpty(tokens, ti);
}

/**
 * doublestar v4 `PathMatch(glob, path)` on a '/'-separated path: `*` and `?`
 * stay within a segment, `**` as a whole segment spans any number of
 * segments (inside a segment it is `*`), `[...]`/`[^...]`/`[!...]` classes,
 * `{a,b}` alternatives, `\` escapes. Throws GlobSyntaxError for a bad glob.
 */
export function globMatch(glob: string, path: string): boolean {
  const none = { ti: -1, ni: -1 };
  return run(compile(glob), 0, Array.from(path), 0, none, none);
}

// ------------------------------------------------------- werf's rules

/**
 * werf's `isPathMatched`: the path (relative to `add`, cleaned) matches the
 * glob itself, the glob with trailing star-only segments trimmed (T), or
 * `T/**\/*`. So `dir` and `dir/*` also cover everything below `dir`.
 */
export function matchesWerfGlob(relPath: string, glob: string): boolean {
  const path = formatRelPath(relPath);
  const g = formatRelPath(glob);
  const trimmed = trimTrailingStars(g);
  return globMatch(g, path) || globMatch(trimmed, path) || globMatch(joinPath(trimmed, '**', '*'), path);
}

export interface PathFilterSpec {
  includePaths: readonly string[];
  excludePaths: readonly string[];
}

export interface PathFilter {
  /** Whether the entry at this path (relative to `add`) is selected. */
  selects(relPath: string): boolean;
  /** Whether the path matches an exclude glob (a directory that does is not entered). */
  excludes(relPath: string): boolean;
}

/**
 * Include/exclude as werf applies them to imports and git mappings: no
 * includes means everything; otherwise at least one include must match;
 * any matching exclude drops the path (and, for a directory, its subtree).
 * Globs are validated up front so a bad one fails before any file is read.
 */
export function createPathFilter(spec: PathFilterSpec): PathFilter {
  const includes = spec.includePaths.map(formatRelPath);
  const excludes = spec.excludePaths.map(formatRelPath);
  for (const g of [...includes, ...excludes]) {
    validateGlob(g);
    validateGlob(joinPath(trimTrailingStars(g), '**', '*'));
  }
  const excluded = (p: string) => excludes.some((g) => matchesWerfGlob(p, g));
  return {
    excludes: excluded,
    selects(relPath) {
      if (includes.length > 0 && !includes.some((g) => matchesWerfGlob(relPath, g))) return false;
      return !excluded(relPath);
    },
  };
}
