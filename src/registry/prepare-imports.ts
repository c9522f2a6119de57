// The import half of `prepare`: for each import of a stage's prepare spec,
// read the selected files from the source stage image and place the `add`
// entry at its workspace path, checking the import checksum the plan used.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CopyForm,
  copyForm,
  type ImportEntryKind,
  type ImportOwnership,
  importCopy,
  sourceOwnership,
} from '../plan/import-copy.js';
import type { PrepareImport } from '../plan/prepare-spec.js';
import { createPathFilter } from '../werf/paths.js';
import type { RegistryClient } from './client.js';
import { pathKinds } from './image-paths.js';
import { entryKind, type ImportSelector, readImportFiles, registryLayers } from './imports.js';
import { type WriteSummary, writeEntries } from './write-entries.js';

export class PrepareImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrepareImportError';
  }
}

function label(imp: PrepareImport, index: number): string {
  return `import ${index} (image "${imp.sourceImage}", stage ${imp.sourceStage}, add ${imp.add}, to ${imp.to})`;
}

/** A workspace-relative path that stays inside the workspace. */
function checkRelative(path: string, what: string): void {
  if (path === '' || path.startsWith('/') || path.split('/').some((p) => p === '..')) {
    throw new PrepareImportError(
      `${what}: ${JSON.stringify(path)} must be a relative path inside the workspace`,
    );
  }
}

/**
 * Rejects what werf rejects before any file is read: a relative `add` or
 * `to`, `to` with a trailing slash (werf v3; v2 silently dropped it and
 * copied *as* the path — pitfall 17), `add: /` without includePaths
 * (pitfall 13), malformed globs.
 */
export function validateImport(imp: PrepareImport, index: number): void {
  const where = label(imp, index);
  if (!imp.add.startsWith('/')) throw new PrepareImportError(`${where}: add must be an absolute path`);
  if (!imp.to.startsWith('/')) throw new PrepareImportError(`${where}: to must be an absolute path`);
  if (imp.to.length > 1 && imp.to.endsWith('/')) {
    throw new PrepareImportError(`${where}: to must not end with "/" (write ${imp.to.replace(/\/+$/, '')})`);
  }
  if (imp.add.split('/').filter(Boolean).length === 0 && imp.includePaths.length === 0) {
    throw new PrepareImportError(
      `${where}: add: / needs includePaths (importing a whole root filesystem is refused)`,
    );
  }
  checkRelative(imp.dir, `${where}: dir`);
  checkRelative(imp.path, `${where}: path`);
  const dir = imp.dir.replace(/\/+$/, '');
  if (!imp.path.startsWith(`${dir}/`)) {
    throw new PrepareImportError(
      `${where}: path ${JSON.stringify(imp.path)} is not inside dir ${JSON.stringify(imp.dir)}`,
    );
  }
  try {
    createPathFilter(imp);
  } catch (e) {
    throw new PrepareImportError(`${where}: ${(e as Error).message}`);
  }
}

export interface PreparedImport {
  index: number;
  /** What `add` is in the source image, and the COPY form chosen from it (src/plan/import-copy.ts). */
  kind: ImportEntryKind;
  form: CopyForm;
  /** For an import without owner and group: the source's ids (`sourceOwnership`), which COPY then gives. */
  sourceOwner?: ImportOwnership | 'mixed';
  path: string;
  checksum: string;
  summary: WriteSummary;
}

/**
 * Executes the imports into `workspace`. Imports from the same source image
 * share one pass over its layers. Spill files live in the workspace (same
 * filesystem, so placing a file is a hard link) and are removed at the end.
 */
export async function prepareImports(
  client: RegistryClient,
  imports: PrepareImport[],
  workspace: string,
  /** Indexes of imports whose `to` is a symlink in the stage's base (see `symlinkedDestinations`). */
  symlinkedTo: ReadonlySet<number> = new Set(),
): Promise<PreparedImport[]> {
  imports.forEach(validateImport);
  const bySource = new Map<string, number[]>();
  imports.forEach((imp, i) => {
    bySource.set(imp.sourceRef, [...(bySource.get(imp.sourceRef) ?? []), i]);
  });
  const spill = join(workspace, '.prepare-spill');
  const out: PreparedImport[] = [];
  try {
    for (const [sourceRef, indexes] of bySource) {
      const selectors: ImportSelector[] = indexes.map((i) => imports[i] as PrepareImport);
      let read: Awaited<ReturnType<typeof readImportFiles>>;
      try {
        read = await readImportFiles(client, sourceRef, selectors, spill);
      } catch (e) {
        const first = imports[indexes[0] as number] as PrepareImport;
        throw new PrepareImportError(
          `image "${first.sourceImage}" stage ${first.sourceStage}: ${(e as Error).message}`,
        );
      }
      // Every placement of a file is announced first, so the last one can rename the spill file.
      for (const r of read.imports) {
        for (const e of r.entries) if (e.node.type === 'file') read.store.reserve(e.node.content);
      }
      for (const [k, index] of indexes.entries()) {
        const imp = imports[index] as PrepareImport;
        const files = read.imports[k];
        if (!files) throw new Error('internal: import result missing');
        if (imp.expectedChecksum !== undefined && imp.expectedChecksum !== files.checksum) {
          throw new PrepareImportError(
            `${label(imp, index)}: the source files changed since planning (import checksum ${files.checksum}, the plan expected ${imp.expectedChecksum})`,
          );
        }
        // Placed where the chosen COPY form takes it from (the planner's path for the file form).
        const kind = entryKind(files.entries);
        const form = copyForm(kind, imp, symlinkedTo.has(index));
        const path = form === 'directory' ? importCopy(imp, form).path : imp.path;
        const summary = writeEntries(files.entries, read.store, join(workspace, path));
        // A directory `add` itself is not copied in the file form (its contents are), so its ids do not count.
        const copied = kind === 'directory' ? files.entries.filter((e) => e.relPath !== '') : files.entries;
        const sourceOwner =
          imp.owner === '' && imp.group === '' ? sourceOwnership(copied.map((e) => e.node)) : undefined;
        out.push({
          index,
          kind,
          form,
          path,
          checksum: files.checksum,
          summary,
          ...(sourceOwner ? { sourceOwner } : {}),
        });
      }
    }
  } finally {
    await rm(spill, { recursive: true, force: true });
  }
  return out.sort((a, b) => a.index - b.index);
}

/**
 * Indexes of the imports with owner or group whose `to` is a symlink in the
 * stage's base image (the Dockerfile's FROM), found from the base's layer
 * metadata. Only those imports can take the directory COPY form, so the base
 * is read only when one of them exists.
 */
export async function symlinkedDestinations(
  client: RegistryClient,
  imports: readonly PrepareImport[],
  dockerfile: string,
): Promise<Set<number>> {
  const candidates = imports.flatMap((imp, i) => (imp.owner !== '' || imp.group !== '' ? [i] : []));
  const base = /^FROM (\S+)/.exec(dockerfile)?.[1];
  if (candidates.length === 0 || base === undefined || base === 'scratch') return new Set();
  const image = await client.getImage(base);
  const kinds = await pathKinds(
    registryLayers(client, base, image),
    candidates.map((i) => (imports[i] as PrepareImport).to),
  );
  return new Set(candidates.filter((i) => kinds.get((imports[i] as PrepareImport).to) === 'symlink'));
}
