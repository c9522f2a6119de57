// A YAML scalar that did not resolve to a string (a number, a boolean, a
// timestamp...). werf decodes with yaml.v2, which puts the scalar's source
// text into a string field (`fromCacheVersion: 1.0` is "1.0", `USER: 0:0` is
// "0:0") but requires a real boolean or number for bool and int fields. Keeping
// both the resolved value and the source text lets each field decide the way
// yaml.v2 would.
export class YamlScalar {
  constructor(
    /** The value under YAML 1.1 resolution (what yaml.v2 sees). */
    readonly value: unknown,
    /** The scalar as written, without quotes. */
    readonly source: string,
  ) {}
}

/** A short description of a raw value for "expected X, got Y" messages. */
export function describeRaw(value: unknown): string {
  if (value === undefined || value === null) return 'nothing (null)';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (value instanceof YamlScalar) {
    if (typeof value.value === 'boolean') return `the boolean ${value.source}`;
    if (typeof value.value === 'number' || typeof value.value === 'bigint')
      return `the number ${value.source}`;
    return `the scalar ${value.source}`;
  }
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}
