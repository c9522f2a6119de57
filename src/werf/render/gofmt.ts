// Go's fmt package for template values: Sprint, Sprintln, Sprintf and the
// %v text of every value. Output matches Go byte for byte for the verbs
// templates use (v s q d x X o b c U e E f F g G t T %), flags (+ - # space 0),
// width, precision and `*`; including Go's %!verb(type=value) error text.
import { GoInt, GoObject, goTypeName, isIntLike, isUnsigned, utf8Bytes, type Value } from './values.js';

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
  /** %+v and %#v select a variant of v, like Go's plusV / sharpV. */
  plusV: boolean;
  sharpV: boolean;
}

const noFlags = (): Flags => ({
  plus: false,
  minus: false,
  sharp: false,
  space: false,
  zero: false,
  width: undefined,
  prec: undefined,
  plusV: false,
  sharpV: false,
});

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: Value[]): string {
  let out = '';
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) out += ' ';
    out += formatArg(arg, 'v', noFlags());
    prevString = isString;
  });
  return out;
}

/** fmt.Sprintln: always a space between operands, newline at the end. */
export function sprintln(args: Value[]): string {
  return args.map((a) => formatArg(a, 'v', noFlags())).join(' ') + '\n';
}

/** The %v text of a value, as template actions print it. */
export function formatValue(v: Value): string {
  return formatArg(v, 'v', noFlags());
}

export function sprintf(format: string, args: Value[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f = noFlags();
    // Flags.
    flags: while (i < n) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = true;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          break flags;
      }
      i++;
    }
    // Width.
    if (format[i] === '*') {
      i++;
      const a = args[argNum];
      argNum++;
      if (isIntLike(a)) {
        let w = Number(typeof a === 'bigint' ? a : a.v);
        if (w < 0) {
          f.minus = true;
          w = -w;
        }
        if (w > 1e6) out += '%!(BADWIDTH)';
        else f.width = w;
      } else {
        out += '%!(BADWIDTH)';
      }
    } else {
      const start = i;
      while (i < n && format[i]! >= '0' && format[i]! <= '9') i++;
      if (i > start) f.width = Number(format.slice(start, i));
    }
    // Precision.
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        const a = args[argNum];
        argNum++;
        if (isIntLike(a)) {
          const p = Number(typeof a === 'bigint' ? a : a.v);
          if (p < 0) {
            out += '%!(BADPREC)';
          } else f.prec = p;
        } else out += '%!(BADPREC)';
      } else {
        const start = i;
        while (i < n && format[i]! >= '0' && format[i]! <= '9') i++;
        f.prec = Number(format.slice(start, i) || '0');
      }
    }
    if (!f.minus && f.zero) {
      // ok: zero padding stays
    } else if (f.minus) f.zero = false;
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const cp = format.codePointAt(i)!;
    const verb = String.fromCodePoint(cp);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argNum++]!;
    if (verb === 'v') {
      if (f.sharp) {
        f.sharp = false;
        f.sharpV = true;
      }
      if (f.plus) {
        f.plus = false;
        f.plusV = true;
      }
    }
    out += formatArg(arg, verb, f);
  }
  if (!reordered && argNum < args.length) {
    out += '%!(EXTRA ';
    out += args
      .slice(argNum)
      .map((a) => (a === null ? '<nil>' : `${goTypeName(a)}=${formatArg(a, 'v', noFlags())}`))
      .join(', ');
    out += ')';
  }
  reordered = false;
  return out;
}

function runeCount(s: string): number {
  let c = 0;
  for (const _ of s) c++;
  return c;
}

function pad(s: string, f: Flags): string {
  if (f.width === undefined) return s;
  const w = f.width - runeCount(s);
  if (w <= 0) return s;
  if (f.minus) return s + ' '.repeat(w);
  return ' '.repeat(w) + s;
}

/** Pads a number, putting zero padding after the sign as Go does. */
function padNumber(s: string, f: Flags, allowZero: boolean): string {
  if (f.width !== undefined && f.zero && !f.minus && allowZero) {
    const w = f.width - runeCount(s);
    if (w <= 0) return s;
    const sign = s[0] === '-' || s[0] === '+' || s[0] === ' ' ? s[0] : '';
    return sign + '0'.repeat(w) + s.slice(sign.length);
  }
  return pad(s, f);
}

/** Go's %!verb(type=value); the value is printed with %v and the verb's own flags and width. */
function badVerb(arg: Value, verb: string, f: Flags = noFlags()): string {
  if (arg === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(arg)}=${formatArg(arg, 'v', { ...f, plusV: false, sharpV: false })})`;
}

export function formatArg(arg: Value, verb: string, f: Flags, depth = 0): string {
  if (verb === 'T') return pad(goTypeName(arg), f);
  if (arg === null) {
    if (depth > 0 || verb === 'v') return pad('<nil>', f);
    return badVerb(arg, verb, f);
  }
  switch (typeof arg) {
    case 'boolean':
      if (verb === 't' || verb === 'v') return pad(arg ? 'true' : 'false', f);
      return badVerb(arg, verb, f);
    case 'bigint':
      return formatInt(arg, false, verb, f, arg);
    case 'number':
      return formatFloatVerb(arg, verb, f);
    case 'string':
      return formatString(arg, verb, f);
  }
  if (arg instanceof GoInt) {
    if (arg.type === 'uint8' && depth === 0 && verb === 'v') return formatInt(arg.v, true, verb, f, arg);
    return formatInt(arg.v, isUnsigned(arg), verb, f, arg);
  }
  if (Array.isArray(arg)) {
    if (f.sharpV) {
      return `${goTypeName(arg)}{${arg.map((e) => formatArg(e, verb, f, depth + 1)).join(', ')}}`;
    }
    return `[${arg.map((e) => formatArg(e, verb, f, depth + 1)).join(' ')}]`;
  }
  if (arg instanceof Map) {
    const keys = sortKeys([...arg.keys()]);
    if (f.sharpV) {
      return `${goTypeName(arg)}{${keys
        .map((k) => `${formatArg(k, verb, f, depth + 1)}:${formatArg(arg.get(k)!, verb, f, depth + 1)}`)
        .join(', ')}}`;
    }
    return `map[${keys
      .map((k) => `${formatArg(k, verb, f, depth + 1)}:${formatArg(arg.get(k)!, verb, f, depth + 1)}`)
      .join(' ')}]`;
  }
  if (arg instanceof GoObject) {
    const parts = Object.entries(arg.fields).map(([k, v]) =>
      f.plusV || f.sharpV ? `${k}:${formatArg(v, verb, f, depth + 1)}` : formatArg(v, verb, f, depth + 1),
    );
    return `{${parts.join(f.sharpV ? ', ' : ' ')}}`;
  }
  return badVerb(arg, verb, f);
}

/** Map keys in Go's fmt order: numbers numerically, strings lexically (by bytes). */
export function sortKeys(keys: string[]): string[] {
  return keys.sort(compareGoStrings);
}

/** Go compares strings by bytes; comparing code points gives the same order. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order differs from code point order only for astral vs BMP-high chars.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function formatString(s: string, verb: string, f: Flags): string {
  switch (verb) {
    case 'v':
      if (f.sharpV) return pad(goQuote(s), f);
      return padStr(truncRunes(s, f.prec), f);
    case 's':
      return padStr(truncRunes(s, f.prec), f);
    case 'q':
      if (f.sharp && !/[`\u0000-\u0008\u000a-\u001f\u007f]/.test(s)) return pad('`' + s + '`', f);
      return pad(goQuote(truncRunes(s, f.prec), f.plus), f);
    case 'x':
    case 'X':
      return pad(hexBytes(utf8Bytes(truncRunes(s, f.prec)), verb === 'X', f), f);
    default:
      return badVerb(s, verb, f);
  }
}

function padStr(s: string, f: Flags): string {
  if (f.zero && !f.minus && f.width !== undefined) {
    const w = f.width - runeCount(s);
    return w > 0 ? '0'.repeat(w) + s : s;
  }
  return pad(s, f);
}

function truncRunes(s: string, prec: number | undefined): string {
  if (prec === undefined) return s;
  let out = '';
  let i = 0;
  for (const ch of s) {
    if (i++ >= prec) break;
    out += ch;
  }
  return out;
}

function hexBytes(b: Uint8Array, upper: boolean, f: Flags): string {
  const digits = upper ? '0123456789ABCDEF' : '0123456789abcdef';
  let out = '';
  for (let i = 0; i < b.length; i++) {
    if (f.space && i > 0) out += ' ';
    if (f.sharp && (f.space || i === 0)) out += upper ? '0X' : '0x';
    out += digits[b[i]! >> 4]! + digits[b[i]! & 15]!;
  }
  return out;
}

function formatInt(v: bigint, unsigned: boolean, verb: string, f: Flags, orig: Value): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'v':
      if (f.sharpV && orig instanceof GoInt && orig.type === 'uint8') {
        return pad(`0x${abs.toString(16)}`, f);
      }
      digits = abs.toString(10);
      break;
    case 'd':
      digits = abs.toString(10);
      break;
    case 'b':
      digits = abs.toString(2);
      if (f.sharp) prefix = '0b';
      break;
    case 'o':
    case 'O':
      digits = abs.toString(8);
      if (verb === 'O') prefix = '0o';
      else if (f.sharp && digits !== '0') prefix = '0';
      break;
    case 'x':
      digits = abs.toString(16);
      if (f.sharp) prefix = '0x';
      break;
    case 'X':
      digits = abs.toString(16).toUpperCase();
      if (f.sharp) prefix = '0X';
      break;
    case 'c':
      return pad(runeString(v), f);
    case 'q':
      return pad(quoteRune(v, f.plus), f);
    case 'U': {
      let hex = abs.toString(16).toUpperCase();
      hex = hex.padStart(4, '0');
      let s = `U+${hex}`;
      if (f.sharp && v >= 0n && v <= 0x10ffffn) s += ` '${runeString(v)}'`;
      return pad(s, f);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return badVerb(orig, verb, f);
    default:
      return badVerb(orig, verb, f);
  }
  void unsigned;
  if (f.prec !== undefined) {
    if (f.prec === 0 && v === 0n) digits = '';
    digits = digits.padStart(f.prec, '0');
  } else if (f.zero && !f.minus && f.width !== undefined) {
    let w = f.width - prefix.length;
    if (neg || f.plus || f.space) w--;
    digits = digits.padStart(w, '0');
  }
  const sign = neg ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  return pad(sign + prefix + digits, f);
}

function runeString(v: bigint): string {
  if (v < 0n || v > 0x10ffffn || (v >= 0xd800n && v <= 0xdfffn)) return '\ufffd';
  return String.fromCodePoint(Number(v));
}

function formatFloatVerb(v: number, verb: string, f: Flags): string {
  let s: string;
  switch (verb) {
    case 'v':
      s = formatFloat(v, 'g', f.prec ?? -1);
      if (f.sharpV && !/[.eEn]/.test(s)) s += '.0';
      break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      s = formatFloat(v, verb, f.prec ?? (verb === 'g' || verb === 'G' ? -1 : 6));
      if (f.sharp && verb !== 'g' && verb !== 'G' && !s.includes('.') && Number.isFinite(v)) {
        s = s.replace(/^(-?\d+)/, '$1.');
      }
      break;
    default:
      return badVerb(v, verb, f);
  }
  if (Number.isFinite(v)) {
    if (f.plus && !s.startsWith('-')) s = '+' + s;
    else if (f.space && !s.startsWith('-')) s = ' ' + s;
    return padNumber(s, f, true);
  }
  if (f.plus && !s.startsWith('-')) s = '+' + s;
  else if (f.space && !s.startsWith('-')) s = ' ' + s;
  return pad(s, f);
}

/** strconv.FormatFloat(v, fmt, prec, 64). prec -1 means shortest. */
export function formatFloat(v: number, fmt: string, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  let body: string;
  switch (fmt) {
    case 'e':
    case 'E': {
      body = expForm(a, prec, fmt);
      break;
    }
    case 'f':
    case 'F':
      body = prec < 0 ? shortestFixed(a) : fixed(a, prec);
      break;
    default: {
      // %g, following strconv's rules for when the exponent form is used.
      const upper = fmt === 'G';
      let digits: string;
      let exp: number;
      if (prec < 0) {
        [digits, exp] = shortestDigits(a);
        const eprec = 6;
        if (exp < -4 || exp >= eprec) body = mantissa(digits) + (upper ? 'E' : 'e') + expText(exp);
        else body = plainDigits(digits, exp);
      } else {
        const p = prec === 0 ? 1 : prec;
        [digits, exp] = roundedDigits(a, p);
        digits = digits.replace(/0+$/, '') || '0';
        const nd = digits.length;
        const dp = exp + 1;
        let eprec = p;
        if (eprec > nd && nd >= dp) eprec = nd;
        if (exp < -4 || exp >= eprec) {
          body = mantissa(digits) + (upper ? 'E' : 'e') + expText(exp);
        } else {
          const p2 = p > dp ? nd : p;
          body = fixedFromDigits(digits, exp, Math.max(p2 - dp, 0));
        }
      }
      break;
    }
  }
  return (neg ? '-' : '') + body;
}

function expText(exp: number): string {
  const sign = exp < 0 ? '-' : '+';
  const e = Math.abs(exp);
  return sign + (e < 10 ? '0' + e : String(e));
}

function mantissa(digits: string): string {
  return digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
}

function plainDigits(digits: string, exp: number): string {
  if (exp < 0) return '0.' + '0'.repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return digits + '0'.repeat(exp + 1 - digits.length);
  return digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
}

/** Shortest round-trip decimal digits and the decimal exponent of the first digit. */
function shortestDigits(a: number): [string, number] {
  if (a === 0) return ['0', 0];
  const s = a.toExponential(); // shortest round-trip in JS
  const [m, e] = s.split('e');
  return [m!.replace('.', ''), Number(e)];
}

/** `p` significant digits (rounded half to even on the exact value) and the exponent of the first. */
function roundedDigits(a: number, p: number): [string, number] {
  if (a === 0) return ['0'.repeat(p), 0];
  const ex = exactDecimal(a);
  const r = roundDecimal(ex.d, ex.dp, p);
  return [r.d.padEnd(p, '0'), r.dp - 1];
}

/** The exact decimal digits of a positive double: value = 0.d × 10^dp. */
function exactDecimal(a: number): { d: string; dp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  if (e >= 0) {
    const d = (mant << BigInt(e)).toString();
    return { d, dp: d.length };
  }
  const d = (mant * 5n ** BigInt(-e)).toString();
  return { d: d.replace(/0+$/, '') || '0', dp: d.length + e };
}

/** Rounds 0.d × 10^dp to nd digits like Go's strconv (half to even only on an exact tie). */
function roundDecimal(d: string, dp: number, nd: number): { d: string; dp: number } {
  if (nd < 0) return { d: '', dp };
  if (nd >= d.length) return { d, dp };
  const next = d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === d.length) up = nd > 0 && (d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = next >= 5;
  let kept = d.slice(0, nd);
  if (!up) return { d: kept, dp };
  let i = kept.length - 1;
  while (i >= 0 && kept[i] === '9') i--;
  if (i < 0) return { d: '1' + '0'.repeat(kept.length), dp: dp + 1 };
  kept = kept.slice(0, i) + String.fromCharCode(kept.charCodeAt(i) + 1) + '0'.repeat(kept.length - i - 1);
  return { d: kept, dp };
}

function expForm(a: number, prec: number, fmt: string): string {
  let digits: string;
  let exp: number;
  if (prec < 0) [digits, exp] = shortestDigits(a);
  else [digits, exp] = roundedDigits(a, prec + 1);
  return mantissa(digits) + (fmt === 'E' ? 'E' : 'e') + expText(exp);
}

function fixed(a: number, prec: number): string {
  if (a === 0) return prec > 0 ? '0.' + '0'.repeat(prec) : '0';
  const ex = exactDecimal(a);
  const r = roundDecimal(ex.d, ex.dp, ex.dp + prec);
  let intPart: string;
  let frac: string;
  if (r.dp <= 0) {
    intPart = '0';
    frac = ('0'.repeat(-r.dp) + r.d).padEnd(prec, '0').slice(0, prec);
  } else {
    intPart = r.d.slice(0, r.dp).padEnd(r.dp, '0');
    frac = r.d.slice(r.dp).padEnd(prec, '0');
  }
  return prec > 0 ? `${intPart}.${frac}` : intPart;
}

function fixedFromDigits(digits: string, exp: number, decimals: number): string {
  const plain = plainDigits(digits, exp);
  const dot = plain.indexOf('.');
  const have = dot < 0 ? 0 : plain.length - dot - 1;
  if (decimals === 0) return dot < 0 ? plain : plain.slice(0, dot);
  return (dot < 0 ? plain + '.' : plain) + '0'.repeat(Math.max(decimals - have, 0));
}

function shortestFixed(a: number): string {
  const [digits, exp] = shortestDigits(a);
  return plainDigits(digits, exp);
}

/** strconv.Quote (ASCII-only when asciiOnly). */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) {
    out += escapeRune(ch.codePointAt(0)!, '"', asciiOnly);
  }
  return out + '"';
}

function quoteRune(v: bigint, asciiOnly: boolean): string {
  let cp = Number(v);
  if (v < 0n || v > 0x10ffffn || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  return `'${escapeRune(cp, "'", asciiOnly)}'`;
}

const printableRe = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function escapeRune(cp: number, quote: string, asciiOnly: boolean): string {
  const ch = String.fromCodePoint(cp);
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (asciiOnly ? cp < 0x80 && cp >= 0x20 && cp !== 0x7f : isPrint(cp)) return ch;
  switch (cp) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

export function isPrint(cp: number): boolean {
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp < 0x7f) return true;
  if (cp === 0xfffd) return true;
  return printableRe.test(String.fromCodePoint(cp));
}
