import type { z } from 'zod';
import type { YamlPath } from '../model.js';
import type { Diagnostics, DocumentScope } from './diagnostics.js';
import { setOwn } from './documents.js';

// Runs a document's schema and reports every shape problem (wrong type,
// unknown key, value outside its set). Fields with problems are dropped and
// the check repeated, so one bad field does not hide the rules of the rest of
// the document: the caller gets the document's valid part.

const MAX_ROUNDS = 50;

export function checkShape<T extends z.ZodType>(
  schema: T,
  value: Record<string, unknown>,
  scope: DocumentScope,
  diagnostics: Diagnostics,
): z.output<T> | undefined {
  const data = structuredCloneRaw(value) as Record<string, unknown>;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const result = schema.safeParse(data);
    if (result.success) return result.data;
    let progressed = false;
    for (const issue of result.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) {
          diagnostics.error(scope, [...path, k], issue.message.replace('{KEY}', `"${k}"`), 'schema', 'key');
          progressed = removeAt(data, [...path, k]) || progressed;
        }
        continue;
      }
      diagnostics.error(scope, path, issue.message, 'schema');
      // A bad list item takes its whole list out: indexes of the others must not move.
      const target = typeof path[path.length - 1] === 'number' ? path.slice(0, -1) : path;
      diagnostics.markRemoved(scope.doc.index, path);
      progressed = removeAt(data, target) || progressed;
    }
    if (!progressed) return undefined;
  }
  return undefined;
}

function removeAt(root: unknown, path: YamlPath): boolean {
  if (path.length === 0) return false;
  let node: unknown = root;
  for (const part of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string | number, unknown>)[part];
  }
  const last = path[path.length - 1] as string | number;
  if (node === null || typeof node !== 'object' || !Object.hasOwn(node, last)) return false;
  if (Array.isArray(node)) node.splice(Number(last), 1);
  else delete (node as Record<string, unknown>)[last as string];
  return true;
}

/** Copies plain objects and arrays; leaves scalars (including YamlScalar) shared. */
function structuredCloneRaw(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(structuredCloneRaw);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, structuredCloneRaw(v));
    return out;
  }
  return value;
}
