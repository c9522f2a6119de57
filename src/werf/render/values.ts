// The Go value model the template engine works on.
//
// Go templates are typed: `add 1 2` is an int64, `len x` an int, `3.0` a
// float64, and a function declared with an `int` parameter rejects an int64.
// To reproduce Go's output and errors byte for byte the engine keeps those
// distinctions:
//   null          Go nil (a nil interface; also a missing map key)
//   boolean       bool
//   string        string
//   bigint        int (Go's default integer type)
//   GoInt         any other integer type (int64 from sprig math, uint8 bytes...)
//   number        float64
//   Array         a slice ([]interface {} unless tagged with sliceType)
//   Map           a map (map[string]interface {} unless tagged with mapType)
//   GoObject      a struct-like object with fields and methods (.Files)

export type Value = null | boolean | string | bigint | number | GoInt | Value[] | GoMap | GoObject;
export type GoMap = Map<string, Value>;

export type IntType = 'int64' | 'int32' | 'uint8' | 'uint' | 'uint64';

/** An integer of a Go type other than `int`. */
export class GoInt {
  constructor(
    readonly type: IntType,
    readonly v: bigint,
  ) {}
}

/** A Go method callable from a template: receives evaluated arguments. */
export interface GoMethod {
  params: ParamType[];
  variadic?: ParamType;
  call(args: Value[]): Value;
}

/** A struct-like value: exported fields plus methods (werf's .Files). */
export class GoObject {
  constructor(
    readonly typeName: string,
    readonly fields: Record<string, Value>,
    readonly methods: Record<string, GoMethod>,
  ) {}
}

/** Parameter types a function may declare; checked the way Go's reflect call does. */
export type ParamType =
  | 'any' // interface {}
  | 'value' // reflect.Value (builtins: receives missing values too)
  | 'string'
  | 'int'
  | 'int64'
  | 'float64'
  | 'bool'
  | '[]interface {}'
  | '[]string'
  | 'map[string]interface {}';

const sliceTypes = new WeakMap<Value[], string>();
const mapTypes = new WeakMap<GoMap, string>();

/** Marks an array as a typed Go slice such as []string. */
export function typedSlice<T extends Value[]>(arr: T, type: string): T {
  sliceTypes.set(arr, type);
  return arr;
}
export function typedMap(m: GoMap, type: string): GoMap {
  mapTypes.set(m, type);
  return m;
}
export function sliceType(arr: Value[]): string {
  return sliceTypes.get(arr) ?? '[]interface {}';
}
export function mapType(m: GoMap): string {
  return mapTypes.get(m) ?? 'map[string]interface {}';
}

export function isMap(v: unknown): v is GoMap {
  return v instanceof Map;
}

/** Go's reflect type string of a value (as used in error messages and typeOf). */
export function goTypeName(v: Value | undefined): string {
  if (v === undefined || v === null) return '<nil>';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
  }
  if (v instanceof GoInt) return v.type;
  if (Array.isArray(v)) return sliceType(v);
  if (v instanceof Map) return mapType(v);
  return v.typeName;
}

/** Go's reflect Kind name (kindOf). */
export function goKindName(v: Value | undefined): string {
  if (v === undefined || v === null) return 'invalid';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof Map) return 'map';
  if (v instanceof GoObject) return v.typeName.startsWith('*') ? 'ptr' : 'struct';
  return goTypeName(v);
}

export function isIntLike(v: Value | undefined): v is bigint | GoInt {
  return typeof v === 'bigint' || v instanceof GoInt;
}

export function intValue(v: bigint | GoInt): bigint {
  return typeof v === 'bigint' ? v : v.v;
}

export function isUnsigned(v: Value | undefined): boolean {
  return v instanceof GoInt && v.type.startsWith('uint');
}

/** Wraps a JS bigint into a Go int64, with 64-bit wrap-around as Go does. */
export function int64(v: bigint): GoInt {
  return new GoInt('int64', BigInt.asIntN(64, v));
}
/** A Go int (64-bit on the platforms werf runs on). */
export function goInt(v: bigint | number): bigint {
  return BigInt.asIntN(64, typeof v === 'number' ? BigInt(Math.trunc(v)) : v);
}

/** Go template truthiness: the zero value of a type is false. */
export function isTrue(v: Value | undefined): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string':
      return v.length > 0;
    case 'bigint':
      return v !== 0n;
    case 'number':
      return v !== 0;
  }
  if (v instanceof GoInt) return v.v !== 0n;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

// UTF-8 helpers: Go strings are byte strings, so len/index/slice count bytes.
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });
export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}
export function utf8Decode(b: Uint8Array): string {
  return decoder.decode(b);
}
export function byteLength(s: string): number {
  // Fast path for ASCII, the common case.

  if (/^[\x00-\x7f]*$/.test(s)) return s.length;
  return encoder.encode(s).length;
}
