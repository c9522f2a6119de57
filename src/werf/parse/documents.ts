import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  parseDocument,
  visit,
  type YAMLError,
} from 'yaml';
import type { YamlPath } from '../model.js';
import { YamlScalar } from './yaml-scalar.js';

// Splits the rendered werf.yaml into documents exactly where werf does (lines
// that are `---`, optionally followed by blanks and a comment), parses each
// one as YAML 1.1 (werf uses yaml.v2), and turns it into plain data for the
// schemas while remembering where every value and key is written.

export interface TextRange {
  /** 0-based offsets into the whole text. */
  offset: number;
  endOffset: number;
}

export interface RawDocument {
  /** 0-based index among the non-empty documents. */
  index: number;
  /** Plain data: objects, arrays, strings, YamlScalar, undefined (a null mapping value) or null (a null list item). */
  value: unknown;
  /** Where the document's content starts. */
  range: TextRange;
  /** Where a path's value is written: the nearest recorded ancestor when the path itself is absent. */
  locate(path: YamlPath): TextRange;
  /** Where the key of a mapping entry is written, if that entry exists. */
  locateKey(path: YamlPath): TextRange | undefined;
  /** Whether a value is written at exactly this path. */
  has(path: YamlPath): boolean;
}

export interface YamlProblem {
  range: TextRange;
  message: string;
  /** Index of the document it belongs to, when it could be told. */
  docIndex: number;
  /** Where in the document, when the YAML itself was readable. */
  path?: YamlPath;
}

export interface SplitResult {
  documents: RawDocument[];
  problems: YamlProblem[];
}

const MAX_NODES = 50_000;

/** Sets a key as an own property, so keys such as `__proto__` stay plain data. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const SEPARATOR = /^---[ \t]*(#.*)?$/;

interface Chunk {
  start: number;
  text: string;
}

function splitChunks(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let chunkStart = 0;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    if (SEPARATOR.test(line)) {
      chunks.push({ start: chunkStart, text: text.slice(chunkStart, lineStart) });
      chunkStart = newline === -1 ? text.length : newline + 1;
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  chunks.push({ start: chunkStart, text: text.slice(chunkStart) });
  return chunks;
}

const pathKey = (path: YamlPath): string => JSON.stringify(path);

export function splitWerfDocuments(text: string): SplitResult {
  const documents: RawDocument[] = [];
  const problems: YamlProblem[] = [];
  for (const chunk of splitChunks(text)) {
    // yaml.v2 semantics: YAML 1.1 scalars (yes/no booleans, sexagesimal
    // numbers), unique keys; `---` never appears inside a chunk.
    const doc = parseDocument(chunk.text, {
      version: '1.1',
      uniqueKeys: true,
      prettyErrors: false,
      merge: true,
    });
    const index = documents.length;
    if (doc.errors.length > 0) {
      problems.push(...yamlErrorProblems(doc, chunk, index));
      // Keep the index so later documents keep their numbers; the content is unusable.
      if (doc.contents !== null) {
        documents.push(emptyDocument(index, chunk.start + (doc.contents.range?.[0] ?? 0)));
      }
      continue;
    }
    if (doc.contents === null) continue; // only blanks and comments: werf drops it
    documents.push(convertDocument(doc, index, chunk.start, problems));
  }
  return { documents, problems };
}

/** Deeper than this, a document is refused (the converter below; the yaml library runs out of stack far later). */
export const MAX_NESTING = 64;

/**
 * The yaml library's errors as problems, two of them made readable: running
 * out of stack on deep nesting (reported once, as the nesting limit, where
 * the limit is passed), and a flow collection without its closing bracket
 * (reported at the opening bracket, which the library puts past it).
 */
function yamlErrorProblems(doc: Document, chunk: Chunk, index: number): YamlProblem[] {
  const problem = (from: number, to: number, message: string, path?: YamlPath): YamlProblem => ({
    range: { offset: chunk.start + from, endOffset: chunk.start + to },
    message,
    docIndex: index,
    ...(path ? { path } : {}),
  });
  const overflow = doc.errors.find((e) => /call stack/i.test(e.message));
  if (overflow) {
    // Every other error of the document is an echo of the parser giving up.
    const at = flowNestingPast(chunk.text, MAX_NESTING) ?? overflow.pos[0] ?? 0;
    return [problem(at, at + 1, nestingMessage())];
  }
  const unclosed = unclosedFlowCollections(doc, chunk.text);
  const used = new Set<UnclosedFlow>();
  return doc.errors.map((error: YAMLError) => {
    const kind = /^Flow (sequence|map) in block collection/.exec(error.message)?.[1];
    const opener = kind
      ? unclosed.find((u) => !used.has(u) && u.kind === kind && u.end === error.pos[0])
      : undefined;
    if (opener) {
      used.add(opener);
      const [open, close] = opener.kind === 'sequence' ? ['[', ']'] : ['{', '}'];
      return problem(
        opener.start,
        opener.start + 1,
        `invalid YAML: the flow ${opener.kind} "${open}" opened here is not closed: end it with "${close}" (lines inside it must be indented more than the line it starts on)`,
        opener.path,
      );
    }
    const from = error.pos[0] ?? 0;
    return problem(from, error.pos[1] ?? from, `invalid YAML: ${firstLine(error.message)}`);
  });
}

function nestingMessage(): string {
  return `invalid YAML: nesting deeper than ${MAX_NESTING} levels; a werf.yaml needs far fewer: look for unclosed "[" or "{", or flatten the structure`;
}

interface UnclosedFlow {
  kind: 'sequence' | 'map';
  /** Offsets in the chunk: the opening bracket, and where the library ended the collection. */
  start: number;
  end: number;
  path: YamlPath;
}

/** Flow collections whose text does not end with their closing bracket, outermost first. */
function unclosedFlowCollections(doc: Document, text: string): UnclosedFlow[] {
  const out: UnclosedFlow[] = [];
  const collect = (kind: 'sequence' | 'map', node: Node, ancestors: readonly unknown[]) => {
    const range = node.range;
    if (!range || !(node as { flow?: boolean }).flow) return;
    const close = kind === 'sequence' ? ']' : '}';
    if (text.slice(range[0], range[1]).trimEnd().endsWith(close)) return;
    out.push({ kind, start: range[0], end: range[1], path: yamlPathOf(ancestors, node) });
  };
  visit(doc, {
    Seq: (_key, node, ancestors) => collect('sequence', node, ancestors),
    Map: (_key, node, ancestors) => collect('map', node, ancestors),
  });
  return out;
}

/** The YAML path of `node` from the ancestors `visit` gives. */
function yamlPathOf(ancestors: readonly unknown[], node: unknown): YamlPath {
  const chain = [...ancestors, node];
  const path: (string | number)[] = [];
  for (let i = 0; i + 1 < chain.length; i++) {
    const a = chain[i];
    const next = chain[i + 1];
    if (isPair(a) && a.value === next) {
      if (!isScalar(a.key)) break;
      path.push(String(a.key.value));
    } else if (isSeq(a)) path.push(a.items.indexOf(next as never));
  }
  return path;
}

/**
 * Offset of the first "[" or "{" that opens a flow collection nested deeper
 * than `limit`, skipping quoted strings and comments; undefined if none.
 */
export function flowNestingPast(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') {
      if (++depth > limit) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
    else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end === -1) return undefined;
      i = end;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      const eol = text.indexOf('\n', i);
      if (eol === -1) return undefined;
      i = eol;
    }
  }
  return undefined;
}

function isPlainMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function emptyDocument(index: number, offset: number): RawDocument {
  const range = { offset, endOffset: offset };
  return {
    index,
    value: undefined,
    range,
    locate: () => range,
    locateKey: () => undefined,
    has: () => false,
  };
}

function convertDocument(doc: Document, index: number, base: number, problems: YamlProblem[]): RawDocument {
  const valueRanges = new Map<string, TextRange>();
  const keyRanges = new Map<string, TextRange>();
  const rangeOf = (node: Node | null | undefined, fallback: TextRange): TextRange =>
    node?.range ? { offset: base + node.range[0], endOffset: base + node.range[1] } : fallback;

  const docRange = rangeOf(doc.contents, { offset: base, endOffset: base });

  // Aliases are expanded; a budget keeps "billion laughs" documents from exhausting memory.
  let budget = MAX_NODES;
  const convert = (node: Node | null, path: (string | number)[], at: TextRange, depth: number): unknown => {
    const range = rangeOf(node, at);
    if (--budget < 0) {
      if (budget === -1) {
        problems.push({
          range,
          message: `document too large: more than ${MAX_NODES} values, counted after expanding aliases (an alias bomb, or a list this long, is not a werf.yaml this builder takes)`,
          docIndex: index,
          path: [...path],
        });
      }
      return undefined;
    }
    valueRanges.set(pathKey(path), range);
    if (depth > MAX_NESTING) {
      problems.push({
        range,
        message: nestingMessage(),
        docIndex: index,
        path: [...path],
      });
      return undefined;
    }
    if (node === null) return undefined;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      return target ? convert(target as Node, path, range, depth + 1) : undefined;
    }
    if (isScalar(node)) {
      const v = node.value;
      if (v === null || v === undefined) return undefined;
      if (typeof v === 'string') return v;
      return new YamlScalar(v, typeof node.source === 'string' ? node.source : String(v));
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        const value = convert(item as Node, [...path, i], range, depth + 1);
        return value === undefined ? null : value;
      });
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const merges: unknown[] = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const keyRange = rangeOf(keyNode, range);
        if (isScalar(keyNode) && keyNode.source === '<<' && keyNode.type === 'PLAIN') {
          const merged = convert(pair.value as Node | null, path, keyRange, depth + 1);
          // yaml.v2: "map merge requires map or sequence of maps as the value".
          if ((Array.isArray(merged) ? merged : [merged]).every(isPlainMapping)) merges.push(merged);
          else
            problems.push({
              range: rangeOf(pair.value as Node | null, keyRange),
              message: 'invalid YAML: a merge key ("<<") needs a mapping or a list of mappings',
              docIndex: index,
              path: [...path, '<<'],
            });
          continue;
        }
        let key: string;
        if (isScalar(keyNode)) {
          key = typeof keyNode.value === 'string' ? keyNode.value : String(keyNode.source ?? keyNode.value);
        } else {
          problems.push({
            range: keyRange,
            message: 'mapping keys must be plain strings',
            docIndex: index,
            path: [...path],
          });
          continue;
        }
        const childPath = [...path, key];
        keyRanges.set(pathKey(childPath), keyRange);
        setOwn(out, key, convert(pair.value as Node | null, childPath, keyRange, depth + 1));
      }
      // YAML merge keys (`<<: *base`): explicit keys win, earlier merges win over later ones.
      for (const merged of merges.flat() as Record<string, unknown>[]) {
        for (const [k, v] of Object.entries(merged)) if (!Object.hasOwn(out, k)) setOwn(out, k, v);
      }
      // The mapping's own range is recorded again: children wrote over nothing, but merges may have.
      valueRanges.set(pathKey(path), range);
      return out;
    }
    return undefined;
  };

  const value = convert(doc.contents, [], docRange, 0);
  return {
    index,
    value,
    range: docRange,
    locate(path) {
      for (let n = path.length; n >= 0; n--) {
        const found = valueRanges.get(pathKey(path.slice(0, n)));
        if (found) return found;
      }
      return docRange;
    },
    locateKey(path) {
      return keyRanges.get(pathKey(path));
    },
    has(path) {
      return valueRanges.has(pathKey(path));
    },
  };
}

/** 1-based line and column of offsets in a text. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
}
