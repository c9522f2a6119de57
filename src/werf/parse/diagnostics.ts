import type {
  DiagnosticCode,
  SourceMap,
  SourcePosition,
  WerfConfigError,
  WerfConfigWarning,
  YamlPath,
} from '../model.js';
import type { LineIndex, RawDocument, TextRange } from './documents.js';

// Collects every error and warning of one parse with its place in the text,
// and records where the objects of the model come from.

export interface DocumentScope {
  doc: RawDocument;
  /** The image name the document declares, for messages. */
  imageName: string | undefined;
  /** The name comes from `artifact:`. */
  artifact?: boolean;
}

const key = (path: YamlPath) => JSON.stringify(path);

export class Diagnostics {
  readonly errors: WerfConfigError[] = [];
  readonly warnings: WerfConfigWarning[] = [];
  /** Per document: paths of fields removed because their shape was wrong. */
  private readonly removed = new Map<number, Set<string>>();

  constructor(private readonly lines: LineIndex) {}

  /** An error for the whole file (no document), at the given offset. */
  fileError(message: string, offset = 0): void {
    const { line, column } = this.lines.position(offset);
    this.errors.push({ code: 'rule', docIndex: -1, imageName: undefined, path: [], line, column, message });
  }

  yamlError(docIndex: number, range: TextRange, message: string, path: YamlPath = []): void {
    const { line, column } = this.lines.position(range.offset);
    this.errors.push({
      code: 'yaml',
      docIndex,
      imageName: undefined,
      path: [...path],
      line,
      column,
      message,
    });
  }

  /**
   * An error at `path` of a document: at the key when `at` is `key` (for
   * unknown or forbidden fields), else at the value.
   */
  error(
    scope: DocumentScope,
    path: YamlPath,
    message: string,
    code: DiagnosticCode = 'rule',
    at: 'key' | 'value' = 'value',
    about: readonly string[] = [],
  ): void {
    if (code === 'rule' && this.coveredByShapeError(scope.doc.index, path, about)) return;
    const { line, column } = this.place(scope.doc, path, at);
    this.errors.push({
      code,
      docIndex: scope.doc.index,
      imageName: scope.imageName,
      ...(scope.artifact ? { artifact: true } : {}),
      path: [...path],
      line,
      column,
      message,
    });
  }

  warning(scope: DocumentScope, path: YamlPath, message: string): void {
    const { line, column } = this.place(scope.doc, path, 'value');
    this.warnings.push({
      code: 'warning',
      docIndex: scope.doc.index,
      imageName: scope.imageName,
      ...(scope.artifact ? { artifact: true } : {}),
      path: [...path],
      line,
      column,
      message,
    });
  }

  /** Marks a field whose wrong shape was already reported and which was dropped. */
  markRemoved(docIndex: number, path: YamlPath): void {
    const set = this.removed.get(docIndex) ?? new Set<string>();
    this.removed.set(docIndex, set);
    set.add(key(path));
  }

  /**
   * A rule error about a field that was dropped for its shape (e.g. "before
   * or after is required" after a bad `before`) would only repeat the first
   * error: it is left out. `about` names the fields of the object at `path`
   * that the rule reads.
   */
  private coveredByShapeError(docIndex: number, path: YamlPath, about: readonly string[]): boolean {
    const set = this.removed.get(docIndex);
    if (!set) return false;
    if (set.has(key(path))) return true;
    return about.some((field) => set.has(key([...path, field])));
  }

  private place(doc: RawDocument, path: YamlPath, at: 'key' | 'value') {
    const range = (at === 'key' ? doc.locateKey(path) : undefined) ?? doc.locate(path);
    return this.lines.position(range.offset);
  }

  positionIn(doc: RawDocument, path: YamlPath): SourcePosition {
    const range = doc.locate(path);
    const { line, column } = this.lines.position(range.offset);
    return {
      docIndex: doc.index,
      path: [...path],
      line,
      column,
      offset: range.offset,
      endOffset: range.endOffset,
    };
  }
}

/** Positions of the model's objects, looked up lazily from the documents. */
export class ModelSourceMap implements SourceMap {
  private readonly origins = new WeakMap<object, { doc: RawDocument; path: YamlPath }>();

  constructor(private readonly diagnostics: Diagnostics) {}

  register<T extends object>(object: T, doc: RawDocument, path: YamlPath): T {
    this.origins.set(object, { doc, path: [...path] });
    return object;
  }

  positionOf(object: object): SourcePosition | undefined {
    const origin = this.origins.get(object);
    return origin && this.diagnostics.positionIn(origin.doc, origin.path);
  }

  fieldPosition(object: object, field: string): SourcePosition | undefined {
    const origin = this.origins.get(object);
    return origin && this.diagnostics.positionIn(origin.doc, [...origin.path, field]);
  }

  /** The YAML path an object was read from, if it is part of the model. */
  pathOf(object: object): YamlPath | undefined {
    return this.origins.get(object)?.path;
  }
}
