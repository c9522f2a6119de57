// Go-compatible emptiness, deep equality and JSON for template values.
import { compareGoStrings, formatFloat } from './gofmt.js';
import { GoInt, GoObject, goTypeName, type Value } from './values.js';

/** sprig empty: the zero value of its type (nil, 0, "", false, empty list/map). */
export function empty(v: Value): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case 'boolean':
      return !v;
    case 'string':
      return v.length === 0;
    case 'bigint':
      return v === 0n;
    case 'number':
      return v === 0;
  }
  if (v instanceof GoInt) return v.v === 0n;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof Map) return v.size === 0;
  return false;
}

/** reflect.DeepEqual. */
export function deepEqual(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if (goTypeName(a) !== goTypeName(b)) return false;
  if (a instanceof GoInt) return a.v === (b as GoInt).v;
  if (Array.isArray(a)) {
    const bb = b as Value[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]!));
  }
  if (a instanceof Map) {
    const bb = b as Map<string, Value>;
    if (a.size !== bb.size) return false;
    for (const [k, v] of a) if (!bb.has(k) || !deepEqual(v, bb.get(k)!)) return false;
    return true;
  }
  if (a instanceof GoObject) return a === b;
  if (typeof a === 'number' && Number.isNaN(a)) return false;
  return a === b;
}

function jsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20) out += '\\u00' + cp.toString(16).padStart(2, '0');
    else if (escapeHTML && (ch === '<' || ch === '>' || ch === '&')) out += '\\u00' + cp.toString(16);
    else if (cp === 0x2028 || cp === 0x2029) out += '\\u' + cp.toString(16);
    else out += ch;
  }
  return out + '"';
}

function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // Go: %e form, with a one-digit exponent kept short (1e-07 -> 1e-7).
    return formatFloat(f, 'e', -1).replace(/e([+-])0(\d)$/, 'e$1$2');
  }
  return formatFloat(f, 'f', -1);
}

function encode(v: Value, escapeHTML: boolean, indent: string | null, level: number): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return jsonString(v, escapeHTML);
    case 'bigint':
      return v.toString();
    case 'number':
      return jsonFloat(v);
  }
  if (v instanceof GoInt) return v.v.toString();
  const nl = indent === null ? '' : '\n' + indent.repeat(level + 1);
  const end = indent === null ? '' : '\n' + indent.repeat(level);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${nl}${v.map((x) => encode(x, escapeHTML, indent, level + 1)).join(',' + nl)}${end}]`;
  }
  if (v instanceof Map) {
    // encoding/json cannot encode yaml.v2's nested maps (interface keys).
    if (goTypeName(v) === 'map[interface {}]interface {}') {
      throw new Error('json: unsupported type: map[interface {}]interface {}');
    }
    if (v.size === 0) return '{}';
    const keys = [...v.keys()].sort(compareGoStrings);
    const sep = indent === null ? ':' : ': ';
    return `{${nl}${keys
      .map((k) => jsonString(k, escapeHTML) + sep + encode(v.get(k)!, escapeHTML, indent, level + 1))
      .join(',' + nl)}${end}}`;
  }
  return '{}';
}

export const toJson = (v: Value): string => encode(v, true, null, 0);
export const toPrettyJson = (v: Value): string => encode(v, true, '  ', 0);
export const toRawJson = (v: Value): string => encode(v, false, null, 0);

/** json.Unmarshal into interface{}: numbers become float64, objects map[string]interface {}. */
export function fromJson(s: string): Value {
  const parsed: unknown = JSON.parse(s);
  const conv = (x: unknown): Value => {
    if (x === null) return null;
    if (typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean') return x;
    if (Array.isArray(x)) return x.map(conv);
    const m = new Map<string, Value>();
    for (const [k, val] of Object.entries(x as Record<string, unknown>)) m.set(k, conv(val));
    return m;
  };
  return conv(parsed);
}
