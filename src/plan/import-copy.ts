import { copyInstruction } from './dockerfile-syntax.js';

// How an import travels from the workspace into the stage: where `prepare`
// places the `add` entry and what the Dockerfile COPY copies. Both follow
// from the kind of entry `add` names in the source image. The planner does
// not know the kind (it plans from the import checksum only), so it writes
// the file form; `prepare`, which reads the source image, switches a
// directory `add` to the directory form (the stage digest does not depend on
// the COPY form, only on the checksum, `to`, owner and group, as in werf).
//
// - Directory `add`: the directory is placed as `<dir>/<basename(to)>` and
//   COPY copies the folder `<dir>/` into `dirname(to)/`. Its contents merge
//   into `to`, and `to` itself is a copied entry, so `COPY --chown` owns it
//   and it takes the source directory's mode even when it already existed in
//   the stage (werf pitfall 14 and werf-stapel.md §5.1 steps 4 and 6;
//   copying the directory's contents straight to `to` leaves an existing
//   `to` root-owned). For `to: /` the contents are copied to `/`.
// - File or symlink `add`: placed as `<dir>/<basename(add)>` and copied to
//   `to`: into `to/` when that is an existing directory, else created as
//   `to` (werf-stapel.md §5.1 step 3, pitfall 4), by COPY's own rule.

export type ImportEntryKind = 'directory' | 'file' | 'symlink' | 'other';

export interface ImportCopy {
  /** Workspace-relative path where prepare places the `add` entry. */
  path: string;
  /** Workspace-relative COPY source. */
  copyFrom: string;
  /** COPY destination in the stage. */
  copyTo: string;
}

/** The name of the entry placed in a workspace folder: the last segment of a path, or `root` for `/`. */
export function workspaceEntryName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? 'root';
}

function parentOf(p: string): string {
  const parts = p.split('/').filter(Boolean);
  parts.pop();
  return `/${parts.join('/')}`;
}

export function importCopy(imp: { dir: string; add: string; to: string }, kind: ImportEntryKind): ImportCopy {
  const dir = imp.dir.replace(/\/+$/, '');
  if (kind === 'directory') {
    const path = `${dir}/${workspaceEntryName(imp.to)}`;
    const parent = parentOf(imp.to);
    if (parent === imp.to) return { path, copyFrom: path, copyTo: '/' };
    return { path, copyFrom: `${dir}/`, copyTo: parent === '/' ? '/' : `${parent}/` };
  }
  const path = `${dir}/${workspaceEntryName(imp.add)}`;
  return { path, copyFrom: path, copyTo: imp.to };
}

/** The Dockerfile COPY line of an import in the given form. */
export function importCopyInstruction(
  imp: { dir: string; add: string; to: string; owner: string; group: string },
  kind: ImportEntryKind,
): string {
  const copy = importCopy(imp, kind);
  return copyInstruction({ path: copy.copyFrom, to: copy.copyTo, owner: imp.owner, group: imp.group });
}

/**
 * The Dockerfile with each directory import's COPY line switched from the
 * file form the planner wrote to the directory form. `kinds[i]` is what
 * import i's `add` is in its source image. Fails when a line to switch is
 * not in the Dockerfile exactly once (a spec not written by this planner).
 */
export function withImportCopyForms(
  dockerfile: string,
  imports: readonly { dir: string; add: string; to: string; owner: string; group: string }[],
  kinds: readonly ImportEntryKind[],
): string {
  const lines = dockerfile.split('\n');
  imports.forEach((imp, i) => {
    if (kinds[i] !== 'directory') return;
    const planned = importCopyInstruction(imp, 'file');
    const at = lines.flatMap((line, n) => (line === planned ? [n] : []));
    if (at.length !== 1) {
      throw new Error(
        `import ${i}: the Dockerfile has ${at.length} lines ${JSON.stringify(planned)}, expected exactly one`,
      );
    }
    lines[at[0] as number] = importCopyInstruction(imp, 'directory');
  });
  return lines.join('\n');
}
