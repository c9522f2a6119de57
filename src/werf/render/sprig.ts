// The sprig v3 functions werf exposes (deterministic ones), with sprig's
// Go signatures so argument type errors match, and sprig's semantics
// (including its quirks, e.g. `get` returns "" for a missing key).
import { createHash } from 'node:crypto';
import { cleanPath } from '../config-paths.js';
import { asInt64, strslice, strval, toFloat64, toInt64 } from './cast.js';
import { decimalOp } from './decimal.js';
import type { TemplateFunc } from './exec.js';
import { FuncError } from './exec.js';
import { compareGoStrings, formatValue, goQuote, sprintf } from './gofmt.js';
import { goRegExp, goReplacement, quoteMeta } from './goregex.js';
import type { Limits } from './limits.js';
import { deepEqual, empty, fromJson, toJson, toPrettyJson, toRawJson } from './sprig-data.js';
import {
  byteLength,
  GoInt,
  type GoMap,
  goKindName,
  goTypeName,
  type ParamType,
  typedMap,
  typedSlice,
  utf8Bytes,
  utf8Decode,
  type Value,
} from './values.js';
import { camelToLower, toPascalCase } from './xstrings.js';

type Fn = TemplateFunc;
const fail = (msg: string): never => {
  throw new FuncError(msg);
};

function f(params: ParamType[], call: (args: Value[]) => Value, variadic?: ParamType): Fn {
  return variadic ? { params, variadic, call } : { params, call };
}

const str = (v: Value | undefined) => v as string;
const int = (v: Value | undefined) => Number(v as bigint);

/** Byte-oriented slicing of a Go string (s[a:b]). */
function byteSlice(s: string, a: number, b?: number): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s.slice(a, b);
  const bytes = utf8Bytes(s);
  if (a < 0 || (b ?? bytes.length) > bytes.length || a > (b ?? bytes.length)) {
    fail(`runtime error: slice bounds out of range [${a}:${b ?? bytes.length}]`);
  }
  return utf8Decode(bytes.subarray(a, b));
}

function checkedSlice(s: string, a: number, b: number): string {
  const len = byteLength(s);
  if (b > len) fail(`runtime error: slice bounds out of range [:${b}] with length ${len}`);
  if (a > b) fail(`runtime error: slice bounds out of range [${a}:${b}]`);
  if (a < 0) fail(`runtime error: slice bounds out of range [${a}:]`);
  return byteSlice(s, a, b);
}

/** Go strings.Title: upper-cases letters that start a word. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}
function isSeparator(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if (cp <= 0x7f) {
    if (/[0-9a-zA-Z_]/.test(ch)) return false;
    return true;
  }
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

/**
 * goutils.DeleteWhiteSpace, byte by byte as it is written: when it removes
 * anything, each remaining byte is written as the rune of the same value
 * (so "é" becomes "Ã©"), and bytes 0x85 and 0xA0 count as spaces.
 */
function deleteWhiteSpace(s: string): string {
  const bytes = utf8Bytes(s);
  const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0x85 || b === 0xa0;
  const kept = bytes.filter((b) => !isSpace(b));
  if (kept.length === bytes.length) return s;
  let out = '';
  for (const b of kept) out += String.fromCharCode(b);
  return out;
}

function swapCase(s: string): string {
  let out = '';
  for (const ch of s) {
    const up = ch.toUpperCase();
    const lo = ch.toLowerCase();
    out += ch === up && ch !== lo ? lo : ch === lo && ch !== up ? up : ch;
  }
  return out;
}

/** goutils.Initials: byte by byte, each initial byte written as the rune of its value. */
function initials(s: string): string {
  const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0x85 || b === 0xa0;
  let out = '';
  let lastWasGap = true;
  for (const b of utf8Bytes(s)) {
    if (isSpace(b)) lastWasGap = true;
    else if (lastWasGap) {
      out += String.fromCharCode(b);
      lastWasGap = false;
    }
  }
  return out;
}

function abbreviateFull(s: string, offset: number, maxWidth: number): string {
  if (s === '') return '';
  const len = byteLength(s);
  if (len <= maxWidth) return s;
  let off = Math.min(offset, len);
  if (len - off < maxWidth - 3) off = len - (maxWidth - 3);
  if (off <= 4) return byteSlice(s, 0, maxWidth - 3) + '...';
  if (off + maxWidth - 3 < len) return '...' + abbreviateFull(byteSlice(s, off), 0, maxWidth - 3);
  return '...' + byteSlice(s, len - (maxWidth - 3));
}

function wrapCustom(s: string, width: number, sep: string, wrapLong: boolean): string {
  if (s === '') return '';
  const w = Math.max(width, 1);
  const nl = sep === '' ? '\n' : sep;
  let out = '';
  let offset = 0;
  const len = s.length;
  while (len - offset > w) {
    if (s[offset] === ' ') {
      offset++;
      continue;
    }
    let space = s.lastIndexOf(' ', offset + w);
    if (space < offset) space = -1;
    if (space >= offset) {
      out += s.slice(offset, space) + nl;
      offset = space + 1;
    } else if (wrapLong) {
      out += s.slice(offset, offset + w) + nl;
      offset += w;
    } else {
      space = s.indexOf(' ', offset + w);
      if (space >= 0) {
        out += s.slice(offset, space) + nl;
        offset = space + 1;
      } else {
        out += s.slice(offset);
        offset = len;
      }
    }
  }
  out += s.slice(offset);
  return out;
}

function listOf(v: Value, what: string): Value[] {
  if (Array.isArray(v)) return v;
  if (v === null) return fail('reflect: call of reflect.Value.Type on zero Value');
  return fail(`Cannot ${what} on type ${goKindName(v)}`);
}

function inList(hay: Value[], needle: Value): boolean {
  return hay.some((h) => deepEqual(needle, h));
}

function untilStep(start: bigint, stop: bigint, step: bigint, max: number): Value[] {
  const v: Value[] = [];
  // The list has ceil((stop - start) / step) items when that is positive; exactly `max` is allowed.
  const span = stop - start;
  if (step !== 0n && span !== 0n && span > 0n === step > 0n) {
    const count = (span + step - (step > 0n ? 1n : -1n)) / step;
    if (count > BigInt(max)) fail(`list would have more than ${max} items`);
  }
  const push = (i: bigint) => {
    v.push(i);
  };
  if (stop < start) {
    if (step >= 0n) return typedSlice(v, '[]int');
    for (let i = start; i > stop; i += step) push(i);
    return typedSlice(v, '[]int');
  }
  if (step <= 0n) return typedSlice(v, '[]int');
  for (let i = start; i < stop; i += step) push(i);
  return typedSlice(v, '[]int');
}

function seq(params: bigint[], max: number): string {
  let inc = 1n;
  let list: Value[];
  switch (params.length) {
    case 0:
      return '';
    case 1: {
      const end = params[0]!;
      if (end < 1n) inc = -1n;
      list = untilStep(1n, end + inc, inc, max);
      break;
    }
    case 2: {
      const [start, end] = params as [bigint, bigint];
      const step = end < start ? -1n : 1n;
      list = untilStep(start, end + step, step, max);
      break;
    }
    case 3: {
      const [start, step, end] = params as [bigint, bigint, bigint];
      if (end < start) {
        inc = -1n;
        if (step > 0n) return '';
      }
      list = untilStep(start, end + inc, step, max);
      break;
    }
    default:
      return '';
  }
  return list.map((x) => String(x)).join(' ');
}

/** math.Round-free sprig round: ceil when the fraction is >= roundOn. */
function round(a: Value, places: bigint, roundOn: number): number {
  const val = toFloat64(a);
  const pow = 10 ** Number(places);
  const digit = pow * val;
  const frac = digit - Math.trunc(digit);
  const r = frac >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return r / pow;
}

function goSplit(s: string, sep: string, n = -1): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const chars = [...s];
    if (n > 0 && chars.length > n) return [...chars.slice(0, n - 1), chars.slice(n - 1).join('')];
    return chars;
  }
  const parts = s.split(sep);
  if (n > 0 && parts.length > n) return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
  return parts;
}

function splitMap(parts: string[]): GoMap {
  const m: GoMap = new Map();
  parts.forEach((p, i) => {
    m.set(`_${i}`, p);
  });
  return typedMap(m, 'map[string]string');
}

function pathBase(p: string): string {
  if (p === '') return '.';
  const s = p.replace(/\/+$/, '');
  if (s === '') return '/';
  return s.slice(s.lastIndexOf('/') + 1);
}
function pathDir(p: string): string {
  const i = p.lastIndexOf('/');
  return cleanPath(p.slice(0, i + 1));
}
function pathExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const byte of utf8Bytes(s)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export { adler32 };

const b32alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32encode(s: string): string {
  const bytes = utf8Bytes(s);
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += b32alpha[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += b32alpha[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}
function base32decode(s: string): string {
  if (s.length % 8 !== 0) return `illegal base32 data at input byte ${s.length - (s.length % 8)}`;
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  const body = s.replace(/=+$/, '');
  for (let i = 0; i < body.length; i++) {
    const idx = b32alpha.indexOf(body[i]!);
    if (idx < 0) return `illegal base32 data at input byte ${i}`;
    value = ((value << 5) | idx) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return utf8Decode(new Uint8Array(bytes));
}
function base64decode(s: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) {
    const bad = s.search(/[^A-Za-z0-9+/=]/);
    const at = bad >= 0 ? bad : s.length - (s.length % 4 || 4);
    return `illegal base64 data at input byte ${Math.max(at, 0)}`;
  }
  return utf8Decode(Buffer.from(s, 'base64'));
}

function dictOf(args: Value[]): GoMap {
  const d: GoMap = new Map();
  for (let i = 0; i < args.length; i += 2) {
    const key = strval(args[i]!);
    d.set(key, i + 1 >= args.length ? '' : args[i + 1]!);
  }
  return d;
}

/** mergo.Merge semantics for map[string]interface{}: fill missing keys, deep for nested maps. */
/** mergo.Merge / MergeWithOverwrite on map[string]interface {} values. */
function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const [k, sv] of src) {
    if (sv === null) {
      // mergo copies a nil source value only when overwriting.
      if (overwrite) dst.set(k, null);
      continue;
    }
    const dv = dst.get(k);
    if (sv instanceof Map && dv instanceof Map) mergeInto(dv, sv, overwrite);
    if (dv !== undefined && !empty(dv)) {
      if (Array.isArray(sv)) {
        if (overwrite && sv.length > 0) dst.set(k, sv);
        continue;
      }
      if (sv instanceof Map && dv instanceof Map) continue;
    }
    if (overwrite || dv === undefined || empty(dv)) dst.set(k, sv);
  }
}

function deepCopy(v: Value): Value {
  if (Array.isArray(v)) {
    const c = v.map(deepCopy);
    return typedSlice(c, goTypeName(v));
  }
  if (v instanceof Map) {
    const m: GoMap = new Map();
    for (const [k, x] of v) m.set(k, deepCopy(x));
    return typedMap(m, goTypeName(v));
  }
  return v;
}

export function sprigFunctions(limits: Limits): Record<string, Fn> {
  const maxItems = limits.maxListItems;
  const maxLen = limits.maxOutputChars;
  const bounded = (s: string): string => {
    if (s.length > maxLen) fail(`result longer than ${maxLen} characters`);
    return s;
  };
  const repeat = (s: string, n: number): string => {
    if (n < 0) fail('strings: negative Repeat count');
    if (s.length * n > maxLen) fail(`result longer than ${maxLen} characters`);
    return s.repeat(n);
  };
  const indent = (n: number, s: string): string => {
    const pad = repeat(' ', n);
    return bounded(pad + s.replaceAll('\n', '\n' + pad));
  };
  const regexFindAll = (re: string, s: string, n: number): Value[] => {
    const r = goRegExp(re, s);
    const out: Value[] = [];
    for (const m of goMatches(r, s)) {
      if (n >= 0 && out.length >= n) break;
      out.push(m[0]);
    }
    return typedSlice(n === 0 ? [] : out, '[]string');
  };
  const regexSplit = (re: string, s: string, n: number): Value[] => {
    if (n === 0) return typedSlice([], '[]string');
    const r = goRegExp(re, s);
    if (re.length > 0 && s.length === 0) return typedSlice([''], '[]string');
    const matches = goMatches(r, s);
    const out: string[] = [];
    let beg = 0;
    for (const m of matches) {
      if (n > 0 && out.length === n - 1) break;
      const end = m.index!;
      if (m[0].length === 0 && end === 0) continue;
      if (m[0].length === 0 && end === s.length) break;
      out.push(s.slice(beg, end));
      beg = end + m[0].length;
    }
    if (beg <= s.length) out.push(s.slice(beg));
    return typedSlice(out, '[]string');
  };
  const must = (fn: () => Value): Value => fn();

  const fns: Record<string, Fn> = {
    hello: f([], () => 'Hello!'),
    // Strings.
    abbrev: f(['int', 'string'], ([w, s]) => (int(w) < 4 ? str(s) : abbreviateFull(str(s), 0, int(w)))),
    abbrevboth: f(['int', 'int', 'string'], ([l, r, s]) => {
      const left = int(l);
      const right = int(r);
      if (right < 4 || (left > 0 && right < 7)) return str(s);
      return abbreviateFull(str(s), left, right);
    }),
    trunc: f(['int', 'string'], ([c, s]) => {
      const n = int(c);
      const len = byteLength(str(s));
      if (n < 0 && len + n > 0) return byteSlice(str(s), len + n);
      if (n >= 0 && len > n) return byteSlice(str(s), 0, n);
      return str(s);
    }),
    trim: f(['string'], ([s]) => str(s).trim()),
    upper: f(['string'], ([s]) => str(s).toUpperCase()),
    lower: f(['string'], ([s]) => str(s).toLowerCase()),
    title: f(['string'], ([s]) => title(str(s))),
    untitle: f(['string'], ([s]) => {
      const x = str(s);
      if (x === '') return x;
      const first = String.fromCodePoint(x.codePointAt(0)!);
      return first.toLowerCase() + x.slice(first.length);
    }),
    substr: f(['int', 'int', 'string'], ([a, b, s]) => {
      const start = int(a);
      const end = int(b);
      const x = str(s);
      if (start < 0) return checkedSlice(x, 0, end);
      if (end < 0 || end > byteLength(x)) return checkedSlice(x, start, byteLength(x));
      return checkedSlice(x, start, end);
    }),
    repeat: f(['int', 'string'], ([n, s]) => repeat(str(s), int(n))),
    trimall: f(['string', 'string'], ([a, b]) => trimSet(str(b), str(a))),
    trimAll: f(['string', 'string'], ([a, b]) => trimSet(str(b), str(a))),
    trimSuffix: f(['string', 'string'], ([a, b]) =>
      str(a) !== '' && str(b).endsWith(str(a)) ? str(b).slice(0, str(b).length - str(a).length) : str(b),
    ),
    trimPrefix: f(['string', 'string'], ([a, b]) =>
      str(b).startsWith(str(a)) ? str(b).slice(str(a).length) : str(b),
    ),
    nospace: f(['string'], ([s]) => deleteWhiteSpace(str(s))),
    initials: f(['string'], ([s]) => initials(str(s))),
    swapcase: f(['string'], ([s]) => swapCase(str(s))),
    snakecase: f(['string'], ([s]) => camelToLower(str(s), '_')),
    camelcase: f(['string'], ([s]) => toPascalCase(str(s))),
    kebabcase: f(['string'], ([s]) => camelToLower(str(s), '-')),
    wrap: f(['int', 'string'], ([l, s]) => wrapCustom(str(s), int(l), '', false)),
    wrapWith: f(['int', 'string', 'string'], ([l, sep, s]) => wrapCustom(str(s), int(l), str(sep), true)),
    contains: f(['string', 'string'], ([a, b]) => str(b).includes(str(a))),
    hasPrefix: f(['string', 'string'], ([a, b]) => str(b).startsWith(str(a))),
    hasSuffix: f(['string', 'string'], ([a, b]) => str(b).endsWith(str(a))),
    quote: f(
      [],
      (args) =>
        args
          .filter((a) => a !== null)
          .map((a) => goQuote(strval(a)))
          .join(' '),
      'any',
    ),
    squote: f(
      [],
      (args) =>
        args
          .filter((a) => a !== null)
          .map((a) => `'${formatValue(a)}'`)
          .join(' '),
      'any',
    ),
    cat: f(
      [],
      (args) =>
        bounded(
          args
            .filter((a) => a !== null)
            .map((a) => formatValue(a))
            .join(' '),
        ),
      'any',
    ),
    indent: f(['int', 'string'], ([n, s]) => indent(int(n), str(s))),
    nindent: f(['int', 'string'], ([n, s]) => '\n' + indent(int(n), str(s))),
    replace: f(['string', 'string', 'string'], ([o, n, s]) => bounded(goReplaceAll(str(s), str(o), str(n)))),
    plural: f(['string', 'string', 'int'], ([one, many, c]) => (c === 1n ? one! : many!)),
    sha1sum: f(['string'], ([s]) => createHash('sha1').update(str(s)).digest('hex')),
    sha256sum: f(['string'], ([s]) => createHash('sha256').update(str(s)).digest('hex')),
    sha512sum: f(['string'], ([s]) => createHash('sha512').update(str(s)).digest('hex')),
    adler32sum: f(['string'], ([s]) => String(adler32(str(s)))),
    toString: f(['any'], ([v]) => strval(v!)),
    // Conversions.
    atoi: f(['string'], ([s]) => {
      const m = /^[+-]?\d+$/.exec(str(s));
      if (!m) return 0n;
      const v = BigInt(str(s));
      return v > 2n ** 63n - 1n || v < -(2n ** 63n) ? 0n : v;
    }),
    int64: f(['any'], ([v]) => asInt64(toInt64(v!))),
    int: f(['any'], ([v]) => toInt64(v!)),
    float64: f(['any'], ([v]) => toFloat64(v!)),
    seq: f([], (args) => seq(args as bigint[], maxItems), 'int'),
    toDecimal: f(['any'], ([v]) => {
      const s = formatValue(v!);
      if (!/^[+-]?[0-7]+$/.test(s)) return asInt64(0n);
      const neg = s.startsWith('-');
      const x = BigInt('0o' + s.replace(/^[+-]/, ''));
      return asInt64(neg ? -x : x);
    }),
    split: f(['string', 'string'], ([sep, s]) => splitMap(goSplit(str(s), str(sep)))),
    splitList: f(['string', 'string'], ([sep, s]) => typedSlice(goSplit(str(s), str(sep)), '[]string')),
    splitn: f(['string', 'int', 'string'], ([sep, n, s]) => splitMap(goSplit(str(s), str(sep), int(n)))),
    toStrings: f(['any'], ([v]) => strslice(v!)),
    until: f(['int'], ([n]) => untilStep(0n, n as bigint, (n as bigint) < 0n ? -1n : 1n, maxItems)),
    untilStep: f(['int', 'int', 'int'], ([a, b, c]) =>
      untilStep(a as bigint, b as bigint, c as bigint, maxItems),
    ),
    // Integer math (int64 results).
    add1: f(['any'], ([v]) => asInt64(toInt64(v!) + 1n)),
    add: f([], (args) => asInt64(args.reduce<bigint>((a, b) => a + toInt64(b), 0n)), 'any'),
    sub: f(['any', 'any'], ([a, b]) => asInt64(toInt64(a!) - toInt64(b!))),
    div: f(['any', 'any'], ([a, b]) => {
      const d = toInt64(b!);
      if (d === 0n) fail('runtime error: integer divide by zero');
      return asInt64(toInt64(a!) / d);
    }),
    mod: f(['any', 'any'], ([a, b]) => {
      const d = toInt64(b!);
      if (d === 0n) fail('runtime error: integer divide by zero');
      return asInt64(toInt64(a!) % d);
    }),
    mul: f(
      ['any'],
      ([a, ...rest]) => asInt64(rest.reduce<bigint>((x, y) => x * toInt64(y), toInt64(a!))),
      'any',
    ),
    max: f(
      ['any'],
      ([a, ...rest]) => asInt64(rest.reduce<bigint>((x, y) => maxBig(x, toInt64(y)), toInt64(a!))),
      'any',
    ),
    biggest: f(
      ['any'],
      ([a, ...rest]) => asInt64(rest.reduce<bigint>((x, y) => maxBig(x, toInt64(y)), toInt64(a!))),
      'any',
    ),
    min: f(
      ['any'],
      ([a, ...rest]) => asInt64(rest.reduce<bigint>((x, y) => minBig(x, toInt64(y)), toInt64(a!))),
      'any',
    ),
    maxf: f(
      ['any'],
      ([a, ...rest]) => rest.reduce<number>((x, y) => goMax(x, toFloat64(y)), toFloat64(a!)),
      'any',
    ),
    minf: f(
      ['any'],
      ([a, ...rest]) => rest.reduce<number>((x, y) => goMin(x, toFloat64(y)), toFloat64(a!)),
      'any',
    ),
    ceil: f(['any'], ([a]) => Math.ceil(toFloat64(a!))),
    floor: f(['any'], ([a]) => Math.floor(toFloat64(a!))),
    round: f(
      ['any', 'int'],
      ([a, p, ...r]) => round(a!, p as bigint, r.length ? (r[0] as number) : 0.5),
      'float64',
    ),
    add1f: f(['any'], ([a]) => decimalOp('add', toFloat64(a!), [1])),
    addf: f([], (args) => decimalOp('add', 0, args.map(toFloat64)), 'any'),
    subf: f(['any'], ([a, ...r]) => decimalOp('sub', toFloat64(a!), r.map(toFloat64)), 'any'),
    mulf: f(['any'], ([a, ...r]) => decimalOp('mul', toFloat64(a!), r.map(toFloat64)), 'any'),
    divf: f(['any'], ([a, ...r]) => decimalOp('div', toFloat64(a!), r.map(toFloat64)), 'any'),
    // Lists.
    join: f(['string', 'any'], ([sep, v]) => bounded(strslice(v!).join(str(sep)))),
    sortAlpha: f(['any'], ([v]) => {
      if (Array.isArray(v)) return typedSlice(strslice(v).sort(compareGoStrings), '[]string');
      return typedSlice([strval(v!)], '[]string');
    }),
    list: f([], (args) => args, 'any'),
    tuple: f([], (args) => args, 'any'),
    append: f(['any', 'any'], ([l, v]) => [...listOf(l!, 'push'), v!]),
    push: f(['any', 'any'], ([l, v]) => [...listOf(l!, 'push'), v!]),
    mustAppend: f(['any', 'any'], ([l, v]) => [...listOf(l!, 'push'), v!]),
    mustPush: f(['any', 'any'], ([l, v]) => [...listOf(l!, 'push'), v!]),
    prepend: f(['any', 'any'], ([l, v]) => [v!, ...listOf(l!, 'prepend')]),
    mustPrepend: f(['any', 'any'], ([l, v]) => [v!, ...listOf(l!, 'prepend')]),
    first: f(['any'], ([l]) => listOf(l!, 'find first')[0] ?? null),
    mustFirst: f(['any'], ([l]) => listOf(l!, 'find first')[0] ?? null),
    last: f(['any'], ([l]) => listOf(l!, 'find last').at(-1) ?? null),
    mustLast: f(['any'], ([l]) => listOf(l!, 'find last').at(-1) ?? null),
    rest: f(['any'], ([l]) => listOf(l!, 'find rest').slice(1)),
    mustRest: f(['any'], ([l]) => listOf(l!, 'find rest').slice(1)),
    initial: f(['any'], ([l]) => listOf(l!, 'find initial').slice(0, -1)),
    mustInitial: f(['any'], ([l]) => listOf(l!, 'find initial').slice(0, -1)),
    reverse: f(['any'], ([l]) => [...listOf(l!, 'find reverse')].reverse()),
    mustReverse: f(['any'], ([l]) => [...listOf(l!, 'find reverse')].reverse()),
    uniq: f(['any'], ([l]) => listOf(l!, 'find uniq').filter((x, i, a) => !inList(a.slice(0, i), x))),
    mustUniq: f(['any'], ([l]) => listOf(l!, 'find uniq').filter((x, i, a) => !inList(a.slice(0, i), x))),
    without: f(['any'], ([l, ...omit]) => listOf(l!, 'find without').filter((x) => !inList(omit, x)), 'any'),
    mustWithout: f(
      ['any'],
      ([l, ...omit]) => listOf(l!, 'find without').filter((x) => !inList(omit, x)),
      'any',
    ),
    has: f(['any', 'any'], ([needle, hay]) =>
      hay === null ? false : inList(listOf(hay!, 'find has'), needle!),
    ),
    mustHas: f(['any', 'any'], ([needle, hay]) =>
      hay === null ? false : inList(listOf(hay!, 'find has'), needle!),
    ),
    compact: f(['any'], ([l]) => listOf(l!, 'compact').filter((x) => !empty(x))),
    mustCompact: f(['any'], ([l]) => listOf(l!, 'compact').filter((x) => !empty(x))),
    slice: f(['any'], ([l, ...ix]) => sliceList(l!, ix), 'any'),
    mustSlice: f(['any'], ([l, ...ix]) => sliceList(l!, ix), 'any'),
    concat: f(
      [],
      (lists) => {
        const res: Value[] = [];
        for (const l of lists) {
          if (!Array.isArray(l)) fail(`Cannot concat type ${goKindName(l)} as list`);
          res.push(...(l as Value[]));
          if (res.length > maxItems) fail(`list would have more than ${maxItems} items`);
        }
        return lists.length === 0 ? null : res;
      },
      'any',
    ),
    chunk: f(['int', 'any'], ([size, l]) => chunk(int(size), listOf(l!, 'chunk'))),
    mustChunk: f(['int', 'any'], ([size, l]) => chunk(int(size), listOf(l!, 'chunk'))),
    // Dicts.
    dict: f([], (args) => dictOf(args), 'any'),
    get: f(['map[string]interface {}', 'string'], ([d, k]) => {
      const m = d as GoMap | null;
      return m?.has(str(k)) ? m.get(str(k))! : '';
    }),
    set: f(['map[string]interface {}', 'string', 'any'], ([d, k, v]) => {
      if (d === null) fail('assignment to entry in nil map');
      (d as GoMap).set(str(k), v!);
      return d!;
    }),
    unset: f(['map[string]interface {}', 'string'], ([d, k]) => {
      (d as GoMap | null)?.delete(str(k));
      return d!;
    }),
    hasKey: f(['map[string]interface {}', 'string'], ([d, k]) => (d as GoMap | null)?.has(str(k)) ?? false),
    pluck: f(
      ['string'],
      ([k, ...ds]) =>
        ds.filter((d) => (d as GoMap | null)?.has(str(k))).map((d) => (d as GoMap).get(str(k))!),
      'map[string]interface {}',
    ),
    keys: f(
      [],
      (ds) =>
        typedSlice(
          ds.flatMap((d) => [...((d as GoMap | null)?.keys() ?? [])]),
          '[]string',
        ),
      'map[string]interface {}',
    ),
    pick: f(
      ['map[string]interface {}'],
      ([d, ...ks]) => {
        const res: GoMap = new Map();
        for (const k of ks) if ((d as GoMap | null)?.has(str(k))) res.set(str(k), (d as GoMap).get(str(k))!);
        return res;
      },
      'string',
    ),
    omit: f(
      ['map[string]interface {}'],
      ([d, ...ks]) => {
        const res: GoMap = new Map();
        const drop = new Set(ks.map(str));
        for (const [k, v] of (d as GoMap | null) ?? []) if (!drop.has(k)) res.set(k, v);
        return res;
      },
      'string',
    ),
    merge: f(
      ['map[string]interface {}'],
      ([d, ...srcs]) => {
        for (const s of srcs) if (s) mergeInto(d as GoMap, s as GoMap, false);
        return d!;
      },
      'map[string]interface {}',
    ),
    mustMerge: f(
      ['map[string]interface {}'],
      ([d, ...srcs]) => {
        for (const s of srcs) if (s) mergeInto(d as GoMap, s as GoMap, false);
        return d!;
      },
      'map[string]interface {}',
    ),
    mergeOverwrite: f(
      ['map[string]interface {}'],
      ([d, ...srcs]) => {
        for (const s of srcs) if (s) mergeInto(d as GoMap, s as GoMap, true);
        return d!;
      },
      'map[string]interface {}',
    ),
    mustMergeOverwrite: f(
      ['map[string]interface {}'],
      ([d, ...srcs]) => {
        for (const s of srcs) if (s) mergeInto(d as GoMap, s as GoMap, true);
        return d!;
      },
      'map[string]interface {}',
    ),
    values: f(['map[string]interface {}'], ([d]) => [...((d as GoMap | null)?.values() ?? [])]),
    deepCopy: f(['any'], ([v]) => deepCopy(v!)),
    mustDeepCopy: f(['any'], ([v]) => deepCopy(v!)),
    dig: f(
      [],
      (ps) => {
        if (ps.length < 3) fail('dig needs at least three arguments');
        let d = ps[ps.length - 1]!;
        const def = ps[ps.length - 2]!;
        const ks = ps.slice(0, -2);
        for (let i = 0; i < ks.length; i++) {
          if (!(d instanceof Map) || mapTypeOf(d) !== 'map[string]interface {}') {
            fail(`interface conversion: interface {} is ${goTypeName(d)}, not map[string]interface {}`);
          }
          const k = ks[i];
          if (typeof k !== 'string')
            fail(`interface conversion: interface {} is ${goTypeName(k!)}, not string`);
          if (!(d as GoMap).has(k as string)) return def;
          d = (d as GoMap).get(k as string)!;
        }
        return d;
      },
      'any',
    ),
    // Defaults and flow.
    default: f(['any'], ([d, ...given]) => (given.length === 0 || empty(given[0]!) ? d! : given[0]!), 'any'),
    empty: f(['any'], ([v]) => empty(v!)),
    coalesce: f([], (args) => args.find((a) => !empty(a)) ?? null, 'any'),
    all: f([], (args) => args.every((a) => !empty(a)), 'any'),
    any: f([], (args) => args.some((a) => !empty(a)), 'any'),
    ternary: f(['any', 'any', 'bool'], ([t, fl, c]) => (c ? t! : fl!)),
    fromJson: f(['string'], ([s]) => {
      try {
        return fromJson(str(s));
      } catch {
        return null;
      }
    }),
    mustFromJson: f(['string'], ([s]) => fromJson(str(s))),
    toJson: f(['any'], ([v]) => {
      try {
        return toJson(v!);
      } catch {
        return '';
      }
    }),
    mustToJson: f(['any'], ([v]) => toJson(v!)),
    toPrettyJson: f(['any'], ([v]) => {
      try {
        return toPrettyJson(v!);
      } catch {
        return '';
      }
    }),
    mustToPrettyJson: f(['any'], ([v]) => toPrettyJson(v!)),
    toRawJson: f(['any'], ([v]) => toRawJson(v!)),
    mustToRawJson: f(['any'], ([v]) => toRawJson(v!)),
    fail: f(['string'], ([m]) => fail(str(m))),
    // Types.
    typeOf: f(['any'], ([v]) => goTypeName(v!)),
    typeIs: f(['string', 'any'], ([t, v]) => t === goTypeName(v!)),
    typeIsLike: f(['string', 'any'], ([t, v]) => t === goTypeName(v!) || `*${str(t)}` === goTypeName(v!)),
    kindOf: f(['any'], ([v]) => goKindName(v!)),
    kindIs: f(['string', 'any'], ([t, v]) => t === goKindName(v!)),
    deepEqual: f(['any', 'any'], ([a, b]) => deepEqual(a!, b!)),
    // Paths.
    base: f(['string'], ([p]) => pathBase(str(p))),
    dir: f(['string'], ([p]) => pathDir(str(p))),
    clean: f(['string'], ([p]) => cleanPath(str(p))),
    ext: f(['string'], ([p]) => pathExt(str(p))),
    isAbs: f(['string'], ([p]) => str(p).startsWith('/')),
    osBase: f(['string'], ([p]) => pathBase(str(p))),
    osDir: f(['string'], ([p]) => pathDir(str(p))),
    osClean: f(['string'], ([p]) => cleanPath(str(p))),
    osExt: f(['string'], ([p]) => pathExt(str(p))),
    osIsAbs: f(['string'], ([p]) => str(p).startsWith('/')),
    // Encodings.
    b64enc: f(['string'], ([s]) => bounded(Buffer.from(str(s), 'utf8').toString('base64'))),
    b64dec: f(['string'], ([s]) => base64decode(str(s))),
    b32enc: f(['string'], ([s]) => bounded(base32encode(str(s)))),
    b32dec: f(['string'], ([s]) => base32decode(str(s))),
    // Regular expressions (RE2 syntax).
    regexMatch: f(['string', 'string'], ([re, s]) => {
      try {
        return goRegExp(str(re), str(s)).test(str(s));
      } catch {
        return false;
      }
    }),
    mustRegexMatch: f(['string', 'string'], ([re, s]) => goRegExp(str(re), str(s)).test(str(s))),
    regexFindAll: f(['string', 'string', 'int'], ([re, s, n]) => regexFindAll(str(re), str(s), int(n))),
    mustRegexFindAll: f(['string', 'string', 'int'], ([re, s, n]) => regexFindAll(str(re), str(s), int(n))),
    regexFind: f(['string', 'string'], ([re, s]) => goRegExp(str(re), str(s)).exec(str(s))?.[0] ?? ''),
    mustRegexFind: f(['string', 'string'], ([re, s]) => goRegExp(str(re), str(s)).exec(str(s))?.[0] ?? ''),
    regexReplaceAll: f(['string', 'string', 'string'], ([re, s, r]) =>
      must(() => bounded(replaceAllGo(str(re), str(s), str(r), false))),
    ),
    mustRegexReplaceAll: f(['string', 'string', 'string'], ([re, s, r]) =>
      bounded(replaceAllGo(str(re), str(s), str(r), false)),
    ),
    regexReplaceAllLiteral: f(['string', 'string', 'string'], ([re, s, r]) =>
      bounded(replaceAllGo(str(re), str(s), str(r), true)),
    ),
    mustRegexReplaceAllLiteral: f(['string', 'string', 'string'], ([re, s, r]) =>
      bounded(replaceAllGo(str(re), str(s), str(r), true)),
    ),
    regexSplit: f(['string', 'string', 'int'], ([re, s, n]) => regexSplit(str(re), str(s), int(n))),
    mustRegexSplit: f(['string', 'string', 'int'], ([re, s, n]) => regexSplit(str(re), str(s), int(n))),
    regexQuoteMeta: f(['string'], ([s]) => quoteMeta(str(s))),
  };
  void sprintf;
  return fns;
}

function mapTypeOf(m: GoMap): string {
  return goTypeName(m);
}

function maxBig(a: bigint, b: bigint): bigint {
  return b > a ? b : a;
}
function minBig(a: bigint, b: bigint): bigint {
  return b < a ? b : a;
}
function goMax(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  return Math.max(a, b);
}
function goMin(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  return Math.min(a, b);
}

function trimSet(s: string, cutset: string): string {
  const set = new Set([...cutset]);
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (a < b && set.has(chars[a]!)) a++;
  while (b > a && set.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

/** strings.Replace(s, old, new, -1), including Go's rule for an empty `old`. */
function goReplaceAll(s: string, old: string, repl: string): string {
  if (old === '') {
    const chars = [...s];
    return repl + chars.map((c) => c + repl).join('');
  }
  return s.split(old).join(repl);
}

function replaceAllGo(re: string, s: string, repl: string, literal: boolean): string {
  const r = goRegExp(re, s);
  let out = '';
  let last = 0;
  for (const m of goMatches(r, s)) {
    const at = m.index!;
    out += s.slice(last, at) + (literal ? repl : goReplacement(repl, m));
    last = at + m[0].length;
  }
  return out + s.slice(last);
}

/** All matches as Go's FindAll sees them: an empty match right after a match is skipped. */
function goMatches(r: RegExp, s: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let prevEnd = -1;
  for (const m of s.matchAll(r)) {
    if (m[0].length === 0 && m.index === prevEnd) continue;
    out.push(m as RegExpExecArray);
    prevEnd = m.index! + m[0].length;
  }
  return out;
}

function sliceList(l: Value, ix: Value[]): Value {
  if (!Array.isArray(l)) return fail(`list should be type of slice or array but ${goKindName(l)}`);
  if (l.length === 0) return null;
  const start = ix.length > 0 ? Number(toInt64(ix[0]!)) : 0;
  const end = ix.length < 2 ? l.length : Number(toInt64(ix[1]!));
  if (start < 0 || end < start || end > l.length) fail(`reflect: slice index out of range`);
  return typedSlice(l.slice(start, end), goTypeName(l));
}

function chunk(size: number, l: Value[]): Value {
  if (size <= 0 && l.length > 0) fail('runtime error: integer divide by zero');
  const out: Value[] = [];
  for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size));
  return typedSlice(out, '[][]interface {}');
}

export { GoInt };
