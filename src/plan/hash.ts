import { createHash } from 'node:crypto';

// werf's hash primitives (werf-stapel.md §4.1): arguments are joined with
// ':::' and hashed; empty arguments still produce separators, so
// h256('', '') hashes ':::'.

const SEPARATOR = ':::';

/** Lowercase hex SHA-256 of the arguments joined with ':::' (werf `util.Sha256Hash`). */
export function h256(...args: readonly string[]): string {
  return createHash('sha256').update(args.join(SEPARATOR)).digest('hex');
}

/** Lowercase hex SHA3-224 of the arguments joined with ':::' (werf `util.Sha3_224Hash`), 56 hex chars. */
export function h3(...args: readonly string[]): string {
  return createHash('sha3-224').update(args.join(SEPARATOR)).digest('hex');
}

/** Plain hex SHA-256 of a string, no separators (werf's paramsHash and stage-dependency checksums). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
