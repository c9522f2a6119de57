// A YAML emitter with gopkg.in/yaml.v2's output for template values:
// block style, 2-space indent, sequences unindented under keys, keys in
// yaml.v2's natural order, its choice of plain / single / double / literal
// scalar styles, and its folding of long scalars past 80 columns.
import { formatFloat } from './gofmt.js';
import { GoInt, GoObject, type Value } from './values.js';

const bestWidth = 80;

export function yamlMarshal(v: Value): string {
  const out = new Writer();
  if (isCollection(v) && !isEmptyCollection(v)) {
    emitBlock(out, v, 0);
  } else {
    emitScalarValue(out, v, -1, false);
    out.newline();
  }
  return out.text();
}

class Writer {
  private parts: string[] = [];
  column = 0;
  write(s: string): void {
    this.parts.push(s);
    this.column += [...s].length;
  }
  newline(): void {
    this.parts.push('\n');
    this.column = 0;
  }
  /** Newline (unless at line start) and indentation, as yaml_emitter_write_indent. */
  indent(n: number): void {
    const ind = Math.max(n, 0);
    if (this.column > ind || (this.column === 0 && this.parts.length > 0 && this.parts.at(-1) !== '\n'))
      this.newline();
    if (this.column > ind) this.newline();
    if (this.column < ind) this.write(' '.repeat(ind - this.column));
  }
  text(): string {
    return this.parts.join('');
  }
}

function isCollection(v: Value): v is Value[] | Map<string, Value> {
  return Array.isArray(v) || v instanceof Map;
}
function isEmptyCollection(v: Value[] | Map<string, Value>): boolean {
  return Array.isArray(v) ? v.length === 0 : v.size === 0;
}

/** Emits a non-empty map or sequence whose lines start at column `indent`. */
function emitBlock(out: Writer, v: Value[] | Map<string, Value>, indent: number): void {
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (i > 0 || out.column !== indent) lineStart(out, indent);
      out.write('- ');
      emitNested(out, item, indent + 2, true);
    });
    return;
  }
  const keys = [...v.keys()].sort(keyLess);
  keys.forEach((k, i) => {
    if (i > 0 || out.column !== indent) lineStart(out, indent);
    emitScalarText(out, k, indent, true);
    out.write(':');
    const val = v.get(k)!;
    if (Array.isArray(val) && val.length > 0) {
      // yaml.v2 does not indent a sequence under its key.
      out.newline();
      emitBlock(out, val, indent);
    } else if (val instanceof Map && val.size > 0) {
      out.newline();
      emitBlock(out, val, indent + 2);
    } else {
      out.write(' ');
      emitScalarValue(out, val, indent + 2, false);
    }
  });
}

function lineStart(out: Writer, indent: number): void {
  if (out.column !== 0) out.newline();
  out.write(' '.repeat(indent));
}

/** A value after "- ": collections continue on the same line. */
function emitNested(out: Writer, v: Value, indent: number, _inSeq: boolean): void {
  if (isCollection(v) && !isEmptyCollection(v)) {
    emitBlock(out, v, indent);
    return;
  }
  emitScalarValue(out, v, indent, false);
}

function emitScalarValue(out: Writer, v: Value, indent: number, key: boolean): void {
  if (v === null) {
    out.write('null');
    return;
  }
  if (typeof v === 'boolean') {
    out.write(v ? 'true' : 'false');
    return;
  }
  if (typeof v === 'bigint') {
    out.write(v.toString());
    return;
  }
  if (v instanceof GoInt) {
    out.write(v.v.toString());
    return;
  }
  if (typeof v === 'number') {
    if (Number.isNaN(v)) {
      out.write('.nan');
      return;
    }
    if (v === Number.POSITIVE_INFINITY) {
      out.write('.inf');
      return;
    }
    if (v === Number.NEGATIVE_INFINITY) {
      out.write('-.inf');
      return;
    }
    out.write(formatFloat(v, 'g', -1));
    return;
  }
  if (Array.isArray(v)) {
    out.write('[]');
    return;
  }
  if (v instanceof Map) {
    out.write('{}');
    return;
  }
  if (v instanceof GoObject) {
    out.write('{}');
    return;
  }
  emitScalarText(out, v, indent, key);
}

type Style = 'plain' | 'single' | 'double' | 'literal';

function emitScalarText(out: Writer, s: string, indent: number, simpleKey: boolean): void {
  let style: Style;
  if (s.includes('\n')) style = 'literal';
  else if (resolvesToNonString(s)) style = 'double';
  else style = 'plain';
  const a = analyze(s);
  if (style === 'plain' && (!a.blockPlain || (s.length === 0 && simpleKey))) style = 'single';
  if (style === 'single' && !a.singleQuoted) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
  const allowBreaks = !simpleKey;
  if (style === 'plain') writeFolded(out, s, indent, allowBreaks, false);
  else if (style === 'single') {
    out.write("'");
    writeFolded(out, s, indent, allowBreaks, true);
    out.write("'");
  } else if (style === 'double') writeDouble(out, s, indent, allowBreaks);
  else writeLiteral(out, s, indent);
}

function writeFolded(out: Writer, s: string, indent: number, allowBreaks: boolean, single: boolean): void {
  const chars = [...s];
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === ' ') {
      const edgeOk = !single || (i !== 0 && i !== chars.length - 1);
      if (allowBreaks && !spaces && out.column > bestWidth && edgeOk && chars[i + 1] !== ' ') {
        out.newline();
        out.write(' '.repeat(Math.max(indent, 0)));
      } else out.write(c);
      spaces = true;
    } else {
      out.write(single && c === "'" ? "''" : c);
      spaces = false;
    }
  }
}

function writeDouble(out: Writer, s: string, indent: number, allowBreaks: boolean): void {
  out.write('"');
  const chars = [...s];
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const cp = c.codePointAt(0)!;
    if (!isPrintable(cp) || cp === 0xfeff || isBreak(cp) || c === '"' || c === '\\') {
      out.write(escapeDouble(cp));
      spaces = false;
    } else if (c === ' ') {
      if (allowBreaks && !spaces && out.column > bestWidth && i !== 0 && i !== chars.length - 1) {
        out.newline();
        out.write(' '.repeat(Math.max(indent, 0)));
        if (chars[i + 1] === ' ') out.write('\\');
      } else out.write(c);
      spaces = true;
    } else {
      out.write(c);
      spaces = false;
    }
  }
  out.write('"');
}

function escapeDouble(cp: number): string {
  switch (cp) {
    case 0x00:
      return '\\0';
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0b:
      return '\\v';
    case 0x0c:
      return '\\f';
    case 0x0d:
      return '\\r';
    case 0x1b:
      return '\\e';
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x85:
      return '\\N';
    case 0xa0:
      return '\\_';
    case 0x2028:
      return '\\L';
    case 0x2029:
      return '\\P';
  }
  if (cp <= 0xff) return '\\x' + cp.toString(16).toUpperCase().padStart(2, '0');
  if (cp <= 0xffff) return '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  return '\\U' + cp.toString(16).toUpperCase().padStart(8, '0');
}

function writeLiteral(out: Writer, s: string, indent: number): void {
  let header = '|';
  if (s.startsWith(' ') || s.startsWith('\n')) header += '2';
  const trailing = /\n*$/.exec(s)![0].length;
  if (trailing === 0) header += '-';
  else if (trailing > 1 || s.length === trailing) header += '+';
  out.write(header);
  const ind = Math.max(indent, 2);
  let breaks = true;
  out.newline();
  for (const c of s) {
    if (c === '\n') {
      out.newline();
      breaks = true;
    } else {
      if (breaks) out.write(' '.repeat(ind));
      out.write(c);
      breaks = false;
    }
  }
  // The final line break belongs to the scalar; the writer adds the document's.
  if (s.endsWith('\n')) {
    // undo the newline written for the last break: the caller ends the line
    (out as unknown as { parts: string[] }).parts.pop();
    out.column = 1;
  }
}

function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    cp === 0x85 ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}
function isBreak(cp: number): boolean {
  return cp === 0x0d || cp === 0x0a || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}
function isBlank(c: string | undefined): boolean {
  return c === undefined || c === ' ' || c === '\t' || (c !== undefined && isBreak(c.codePointAt(0)!));
}

interface Analysis {
  blockPlain: boolean;
  singleQuoted: boolean;
  blockAllowed: boolean;
}

/** yaml_emitter_analyze_scalar, for block context. */
function analyze(s: string): Analysis {
  if (s.length === 0) return { blockPlain: true, singleQuoted: true, blockAllowed: false };
  const chars = [...s];
  let blockIndicators = false;
  if (s.startsWith('---') || s.startsWith('...')) blockIndicators = true;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let lineBreaks = false;
  let special = false;
  let precededByWhitespace = true;
  let followedByWhitespace = isBlank(chars[1]);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const cp = c.codePointAt(0)!;
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      if ((c === '?' || c === ':') && followedByWhitespace) blockIndicators = true;
      if (c === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (c === ':' && followedByWhitespace) blockIndicators = true;
      if (c === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(cp)) special = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(cp)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(c);
    followedByWhitespace = isBlank(chars[i + 2]);
  }
  let blockPlain = true;
  let singleQuoted = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) blockPlain = singleQuoted = false;
  if (spaceBreak || special) blockPlain = singleQuoted = blockAllowed = false;
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  return { blockPlain, singleQuoted, blockAllowed };
}

const resolveMap = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'off',
  'Off',
  'OFF',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  '~',
  'null',
  'Null',
  'NULL',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
  '<<',
]);

/** Whether yaml.v2 would read this plain text as something other than a string. */
function resolvesToNonString(s: string): boolean {
  if (s === '') return true;
  const c = s[0]!;
  const hint = /[0-9]/.test(c)
    ? 'D'
    : c === '+' || c === '-'
      ? 'S'
      : c === '.'
        ? '.'
        : 'yYnNtTfFoO~<'.includes(c)
          ? 'M'
          : '';
  if (hint === '') return false;
  if (resolveMap.has(s)) return true;
  if (hint === 'M') return false;
  if (hint === '.')
    return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) || (/^\.\d*[eE]?/.test(s) && !Number.isNaN(Number(s)));
  if (
    hint === 'D' &&
    /^\d{4}-\d{1,2}-\d{1,2}([Tt ]\d{1,2}:\d{1,2}:\d{1,2}(\.\d*)?(Z|[+-]\d{1,2}(:\d{2})?)?)?$/.test(s)
  ) {
    return true;
  }
  const plain = s.replaceAll('_', '');
  if (/^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]*|[1-9][0-9]*|0[bB][01]+)$/.test(plain)) return true;
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) return true;
  if (/^-?0b[01]+$/.test(plain)) return true;
  if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s)) return true;
  return false;
}

/** yaml.v2's key order: natural order of letter and digit runs. */
function keyLess(a: string, b: string): number {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = /\p{L}/u.test(ar[i]!);
    const bl = /\p{L}/u.test(br[i]!);
    if (al && bl) return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)! ? -1 : 1;
    if (al || bl) return bl ? -1 : 1;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && /\d/.test(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && /\d/.test(ar[ai]!); ai++) an = an * 10n + BigInt(ar[ai]!.charCodeAt(0) - 48);
    let bi = i;
    for (; bi < br.length && /\d/.test(br[bi]!); bi++) bn = bn * 10n + BigInt(br[bi]!.charCodeAt(0) - 48);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)! ? -1 : 1;
  }
  return ar.length < br.length ? -1 : ar.length > br.length ? 1 : 0;
}
