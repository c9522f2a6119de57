// How an import travels from the workspace into the stage: where `prepare`
// places the `add` entry (PrepareImport.path) and what the Dockerfile COPY
// copies. Both follow from the kind of entry `add` names in the source image,
// which the plan knows from the import's facts (inspectImportSource).
//
// - Directory `add`: the directory is placed as `<dir>/<basename(to)>` and
//   COPY copies the folder `<dir>/` into `dirname(to)/`. Its contents merge
//   into `to`, and `to` itself is a copied entry, so `COPY --chown` owns it
//   even when it already existed in the stage (werf pitfall 14; copying the
//   directory's contents straight to `to` leaves an existing `to` root-owned).
//   For `to: /` the contents are copied to `/` (nothing above to own).
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

function lastSegment(p: string): string | undefined {
  return p.split('/').filter(Boolean).pop();
}

function parentOf(p: string): string {
  const parts = p.split('/').filter(Boolean);
  parts.pop();
  return `/${parts.join('/')}`;
}

export function importCopy(imp: { dir: string; add: string; to: string }, kind: ImportEntryKind): ImportCopy {
  const dir = imp.dir.replace(/\/+$/, '');
  if (kind === 'directory') {
    const name = lastSegment(imp.to);
    if (name === undefined) return { path: `${dir}/root`, copyFrom: `${dir}/root`, copyTo: '/' };
    const parent = parentOf(imp.to);
    return { path: `${dir}/${name}`, copyFrom: `${dir}/`, copyTo: parent === '/' ? '/' : `${parent}/` };
  }
  const path = `${dir}/${lastSegment(imp.add) ?? 'root'}`;
  return { path, copyFrom: path, copyTo: imp.to };
}
