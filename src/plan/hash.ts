import { createHash } from 'node:crypto';

// werf's hash primitives (werf-stapel.md §4.1): arguments are joined with
// ':::' and hashed; empty arguments still produce separators, so
// h256('', '') hashes ':::'.
//
// The reconciler plans on every pass and most inputs repeat from pass to
// pass, so results are memoised (pure functions of their text; the memo is
// bounded and simply starts over when full).

const SEPARATOR = ':::';
const MEMO_LIMIT = 50_000;
const memo = new Map<string, string>();

function memoised(algorithm: 'sha256' | 'sha3-224', text: string): string {
  const key = algorithm === 'sha256' ? `2${text}` : `3${text}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const digest = createHash(algorithm).update(text).digest('hex');
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, digest);
  return digest;
}

/** Lowercase hex SHA-256 of the arguments joined with ':::' (werf `util.Sha256Hash`). */
export function h256(...args: readonly string[]): string {
  return memoised('sha256', args.join(SEPARATOR));
}

/** Lowercase hex SHA3-224 of the arguments joined with ':::' (werf `util.Sha3_224Hash`), 56 hex chars. */
export function h3(...args: readonly string[]): string {
  return memoised('sha3-224', args.join(SEPARATOR));
}

/** Plain hex SHA-256 of a string, no separators (werf's paramsHash and stage-dependency checksums). */
export function sha256Hex(text: string): string {
  return memoised('sha256', text);
}
