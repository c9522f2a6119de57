// Conversions sprig does through spf13/cast and its own strval/strslice.
import { formatValue } from './gofmt.js';
import { GoInt, intValue, isIntLike, typedSlice, type Value } from './values.js';

/** sprig strval: strings as is, everything else as %v. */
export function strval(v: Value): string {
  if (typeof v === 'string') return v;
  return formatValue(v);
}

/** sprig strslice: a list as []string (nil elements dropped), a scalar as a one-element list. */
export function strslice(v: Value): string[] {
  if (Array.isArray(v)) return typedSlice(v.filter((e) => e !== null).map(strval), '[]string');
  if (v === null) return typedSlice([], '[]string');
  return typedSlice([strval(v)], '[]string');
}

function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === '0') foundZero = true;
    else return s;
  }
  return s;
}

/** strconv.ParseInt(s, 0, 64) (with base prefixes and underscores); null on error. */
export function parseIntBase0(s: string): bigint | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  if (!m) return null;
  let body = m[2]!;
  if (body.includes('_')) {
    if (/__|_$/.test(body)) return null;
    body = body.replaceAll('_', '');
  }
  let v: bigint;
  if (/^0[xXoObB]/.test(body)) {
    const b = body[1]!.toLowerCase();
    const digits = body.slice(2);
    if (digits === '') return null;
    v = BigInt((b === 'x' ? '0x' : b === 'o' ? '0o' : '0b') + digits);
  } else if (body.length > 1 && body[0] === '0') {
    v = BigInt('0o' + body.slice(1));
  } else v = BigInt(body);
  if (m[1] === '-') v = -v;
  if (v > 2n ** 63n - 1n || v < -(2n ** 63n)) return null;
  return v;
}

/** cast.ToInt64: numbers truncate, strings parse (base prefixes, "1.0"), bools are 1/0, else 0. */
export function toInt64(v: Value): bigint {
  if (isIntLike(v)) return BigInt.asIntN(64, intValue(v));
  if (typeof v === 'number')
    return Number.isFinite(v) ? BigInt.asIntN(64, BigInt(Math.trunc(v))) : -(2n ** 63n);
  if (typeof v === 'string') return parseIntBase0(trimZeroDecimal(v)) ?? 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  return 0n;
}

/** cast.ToFloat64. */
export function toFloat64(v: Value): number {
  if (typeof v === 'number') return v;
  if (isIntLike(v)) return Number(intValue(v));
  if (typeof v === 'string') {
    const s = v.replaceAll('_', '');
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
    if (/^[+-]?(inf|infinity)$/i.test(v)) return v.startsWith('-') ? -Infinity : Infinity;
    if (/^nan$/i.test(v)) return Number.NaN;
    return 0;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return 0;
}

export function asInt64(v: bigint): GoInt {
  return new GoInt('int64', BigInt.asIntN(64, v));
}
