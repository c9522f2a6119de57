import { z } from 'zod';
import { describeRaw, YamlScalar } from './yaml-scalar.js';

// Leaf schemas that decode a value the way werf's yaml.v2 structs do, with
// messages that say what is expected. Objects are strict: an unknown key is an
// error, as in werf (`UnmarshalStrict`).

/** A string field: any non-null scalar, taken as written (yaml.v2 keeps the source text). */
export const text = z
  .custom<string | YamlScalar>((v) => typeof v === 'string' || v instanceof YamlScalar, {
    error: (iss) => `expected a string, got ${describeRaw(iss.input)}`,
  })
  .transform((v) => (typeof v === 'string' ? v : v.source));

/** A string field where null (`KEY: ~`) means the empty string, as yaml.v2 decodes it. */
export const textOrEmpty = z
  .custom<string | YamlScalar | undefined>(
    (v) => v === undefined || typeof v === 'string' || v instanceof YamlScalar,
    { error: (iss) => `expected a string, got ${describeRaw(iss.input)}` },
  )
  .transform((v) => (v === undefined ? '' : typeof v === 'string' ? v : v.source));

export const bool = z
  .custom<YamlScalar>((v) => v instanceof YamlScalar && typeof v.value === 'boolean', {
    error: (iss) => `expected true or false, got ${describeRaw(iss.input)}`,
  })
  .transform((v) => v.value as boolean);

export const int = z
  .custom<YamlScalar>(
    (v) =>
      v instanceof YamlScalar &&
      ((typeof v.value === 'number' && Number.isInteger(v.value)) || typeof v.value === 'bigint'),
    { error: (iss) => `expected an integer, got ${describeRaw(iss.input)}` },
  )
  .transform((v) => Number(v.value));

/** A list of strings. */
export const textList = z
  .array(text, { error: (iss) => `expected a list of strings, got ${describeRaw(iss.input)}` })
  .transform((items) => items);

/** werf's "string or list of strings" fields (`includePaths`, shell commands, VOLUME...). */
export const textOrList = z
  .custom<unknown>((v) => typeof v === 'string' || v instanceof YamlScalar || Array.isArray(v), {
    error: (iss) => `expected a string or a list of strings, got ${describeRaw(iss.input)}`,
  })
  .pipe(
    z.union([text.transform((s) => [s]), textList], {
      error: () => 'expected a string or a list of strings',
    }),
  );

/** One of a fixed set of strings. */
export function oneOf<const T extends readonly string[]>(values: T) {
  const list = values.map((v) => `"${v}"`).join(', ');
  return text.pipe(
    z.custom<T[number]>((v) => values.includes(v as string), {
      error: (iss) => `expected one of ${list}, got ${JSON.stringify(iss.input)}`,
    }),
  );
}

/** A mapping of strings to strings (ENV, LABEL, args); null values are empty strings. */
export const textMap = z
  .custom<Record<string, unknown>>(
    (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof YamlScalar),
    {
      error: (iss) => `expected a mapping of strings, got ${describeRaw(iss.input)}`,
    },
  )
  .transform((m, ctx) => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(m)) {
      const parsed = textOrEmpty.safeParse(value);
      if (parsed.success)
        Object.defineProperty(out, key, {
          value: parsed.data,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else
        ctx.issues.push({
          code: 'custom',
          message: `expected a string, got ${describeRaw(value)}`,
          path: [key],
          input: value,
        });
    }
    return out;
  });

/**
 * A strict mapping: unknown keys are errors that list the known ones. The
 * message carries `{KEY}`, replaced per unknown key when issues become errors.
 */
export function strict<T extends z.core.$ZodLooseShape>(shape: T, what: string) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') return `unknown field {KEY} in ${what}; known fields: ${known}`;
      if (iss.code === 'invalid_type') return `expected a mapping (${what}), got ${describeRaw(iss.input)}`;
      return undefined;
    },
  });
}

/** A list of items of one schema. */
export function listOf<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, { error: (iss) => `expected a list of ${what}, got ${describeRaw(iss.input)}` });
}
