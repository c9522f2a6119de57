// Go text/template's predefined functions (funcs.go): and, or, not, len,
// index, print, printf, println, html, js, urlquery, eq, ne, lt, le, gt, ge,
// call. (`slice` is replaced by sprig's, as in werf's function map.)
import type { BuiltinMarker, TemplateFunc } from './exec.js';
import { FuncError } from './exec.js';
import { formatValue, isPrint, sprint, sprintf, sprintln } from './gofmt.js';
import { byteLength, GoInt, GoObject, goTypeName, isTrue, utf8Bytes, type Value } from './values.js';

type Fn = TemplateFunc & BuiltinMarker;

const fail = (msg: string): never => {
  throw new FuncError(msg);
};

type BasicKind = 'invalid' | 'bool' | 'int' | 'uint' | 'float' | 'string' | 'other';

function basicKind(v: Value): BasicKind {
  if (v === null) return 'invalid';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  if (v instanceof GoInt) return v.type.startsWith('uint') ? 'uint' : 'int';
  return 'other';
}

const num = (v: Value): bigint => (typeof v === 'bigint' ? v : (v as GoInt).v);

export function goEq(a: Value, ...rest: Value[]): boolean {
  if (rest.length === 0) fail('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      if ((k1 === 'int' && k2 === 'uint') || (k1 === 'uint' && k2 === 'int')) {
        truth = num(a) === num(b);
      } else if (a !== null && b !== null) {
        fail(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
      }
    } else {
      switch (k1) {
        case 'bool':
        case 'float':
        case 'string':
          truth = a === b;
          break;
        case 'int':
        case 'uint':
          truth = num(a) === num(b);
          break;
        default: {
          if (a === null || b === null) {
            truth = a === b;
            break;
          }
          const ka = kindOf(a);
          const kb = kindOf(b);
          if (ka !== kb)
            fail(
              `non-comparable types ${formatValue(a)}: ${goTypeName(a)}, ${goTypeName(b)}: ${formatValue(b)}`,
            );
          fail(`non-comparable type ${formatValue(b)}: ${goTypeName(b)}`);
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

function kindOf(v: Value): string {
  if (Array.isArray(v)) return 'slice';
  if (v instanceof Map) return 'map';
  if (v instanceof GoObject) return 'struct';
  return typeof v;
}

export function goLt(a: Value, b: Value): boolean {
  const k1 = basicKind(a);
  if (k1 === 'invalid' || k1 === 'other') fail('invalid type for comparison');
  const k2 = basicKind(b);
  if (k2 === 'invalid' || k2 === 'other') fail('invalid type for comparison');
  if (k1 !== k2) {
    if ((k1 === 'int' && k2 === 'uint') || (k1 === 'uint' && k2 === 'int')) return num(a) < num(b);
    fail(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  }
  switch (k1) {
    case 'bool':
      return fail('invalid type for comparison');
    case 'float':
      return (a as number) < (b as number);
    case 'string':
      return compareBytes(a as string, b as string) < 0;
    default:
      return num(a) < num(b);
  }
}

function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const x = utf8Bytes(a);
  const y = utf8Bytes(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length - y.length;
}

function goLen(v: Value): bigint {
  if (v === null) return fail('len of nil pointer');
  if (typeof v === 'string') return BigInt(byteLength(v));
  if (Array.isArray(v)) return BigInt(v.length);
  if (v instanceof Map) return BigInt(v.size);
  return fail(`len of type ${goTypeName(v)}`);
}

function indexArg(i: Value, cap: number): number {
  if (i === null) return fail('cannot index slice/array with nil');
  if (typeof i !== 'bigint' && !(i instanceof GoInt)) {
    return fail(`cannot index slice/array with type ${goTypeName(i)}`);
  }
  const x = num(i);
  if (x < 0n || x > BigInt(cap)) fail(`index out of range: ${x}`);
  return Number(x);
}

function goIndex(item: Value, ...indexes: Value[]): Value {
  if (item === null) return fail('index of untyped nil');
  let cur: Value = item;
  for (const ix of indexes) {
    if (cur === null) return fail('index of nil pointer');
    if (typeof cur === 'string') {
      const bytes = utf8Bytes(cur);
      const x = indexArg(ix, bytes.length);
      if (x >= bytes.length) fail(`reflect: string index out of range`);
      cur = new GoInt('uint8', BigInt(bytes[x]!));
    } else if (Array.isArray(cur)) {
      const x = indexArg(ix, cur.length);
      if (x >= cur.length) fail(`reflect: slice index out of range`);
      cur = cur[x]!;
    } else if (cur instanceof Map) {
      if (ix === null) fail('value is nil; should be of type string');
      if (typeof ix !== 'string') fail(`value has type ${goTypeName(ix)}; should be string`);
      cur = cur.has(ix as string) ? cur.get(ix as string)! : null;
    } else {
      return fail(`can't index item of type ${goTypeName(cur)}`);
    }
  }
  return cur;
}

/** The text of html/js/urlquery arguments: one string as is, else fmt.Sprint. */
function evalArgs(args: Value[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args);
}

export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) =>
    c === '\0'
      ? '\ufffd'
      : c === '"'
        ? '&#34;'
        : c === "'"
          ? '&#39;'
          : c === '&'
            ? '&amp;'
            : c === '<'
              ? '&lt;'
              : '&gt;',
  );
}

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (cp < 0x20) out += '\\u00' + cp.toString(16).toUpperCase().padStart(2, '0');
    else if (cp < 0x80 || isPrint(cp)) out += ch;
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export const builtins: Record<string, Fn> = {
  and: { params: ['value'], variadic: 'value', shortCircuit: true, call: () => null },
  or: { params: ['value'], variadic: 'value', shortCircuit: true, call: () => null },
  not: { params: ['value'], call: ([a]) => !isTrue(a!) },
  len: { params: ['value'], call: ([a]) => goLen(a!) },
  index: { params: ['value'], variadic: 'value', call: ([item, ...ix]) => goIndex(item!, ...ix) },
  print: { params: [], variadic: 'any', call: (args) => sprint(args) },
  printf: { params: ['string'], variadic: 'any', call: ([f, ...args]) => sprintf(f as string, args) },
  println: { params: [], variadic: 'any', call: (args) => sprintln(args) },
  html: { params: [], variadic: 'any', call: (args) => htmlEscape(evalArgs(args)) },
  js: { params: [], variadic: 'any', call: (args) => jsEscape(evalArgs(args)) },
  urlquery: { params: [], variadic: 'any', call: (args) => queryEscape(evalArgs(args)) },
  eq: { params: ['value'], variadic: 'value', call: ([a, ...rest]) => goEq(a!, ...rest) },
  ne: { params: ['value', 'value'], call: ([a, b]) => !goEq(a!, b!) },
  lt: { params: ['value', 'value'], call: ([a, b]) => goLt(a!, b!) },
  le: { params: ['value', 'value'], call: ([a, b]) => goLt(a!, b!) || goEq(a!, b!) },
  gt: { params: ['value', 'value'], call: ([a, b]) => !(goLt(a!, b!) || goEq(a!, b!)) },
  ge: { params: ['value', 'value'], call: ([a, b]) => !goLt(a!, b!) },
  call: {
    params: ['value'],
    variadic: 'value',
    call: ([f]) => (f === null ? fail('call of nil') : fail(`non-function of type ${goTypeName(f!)}`)),
  },
};
