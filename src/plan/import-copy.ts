import { copyInstruction } from './dockerfile-syntax.js';

// How an import travels from the workspace into the stage: where `prepare`
// places the `add` entry and what the Dockerfile COPY copies. Both follow
// from the kind of entry `add` names in the source image. The planner does
// not know the kind (it plans from the import checksum only), so it writes
// the file form; `prepare`, which reads the source image, switches a
// directory `add` to the directory form (the stage digest does not depend on
// the COPY form, only on the checksum, `to`, owner and group, as in werf).
//
// The directory form is chosen only where it matters and is safe
// (`copyForm`): with owner or group set (COPY --chown then owns an existing
// `to`), and not when `to` is a symlink in the stage's base image (copying a
// folder named `to` would replace the link by a directory; copying contents
// to `to` follows the link, as werf's keep-dirlinks copy does).
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

/** `directory`: copy the parent folder (owns `to` itself); `file`: copy the entry to `to` (the planner's line). */
export type CopyForm = 'directory' | 'file';

export function copyForm(
  kind: ImportEntryKind,
  imp: { owner: string; group: string },
  toIsSymlinkInBase: boolean,
): CopyForm {
  if (kind !== 'directory' || (imp.owner === '' && imp.group === '')) return 'file';
  return toIsSymlinkInBase ? 'file' : 'directory';
}

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

export function importCopy(imp: { dir: string; add: string; to: string }, form: CopyForm): ImportCopy {
  const dir = imp.dir.replace(/\/+$/, '');
  if (form === 'directory') {
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
  form: CopyForm,
): string {
  const copy = importCopy(imp, form);
  return copyInstruction({ path: copy.copyFrom, to: copy.copyTo, owner: imp.owner, group: imp.group });
}

/**
 * The Dockerfile with the COPY line of each import whose form is `directory`
 * switched from the file form the planner wrote. Fails when a line to switch
 * is not in the Dockerfile exactly once (a spec not written by this planner).
 */
export function withImportCopyForms(
  dockerfile: string,
  imports: readonly { dir: string; add: string; to: string; owner: string; group: string }[],
  forms: readonly CopyForm[],
): string {
  const lines = dockerfile.split('\n');
  imports.forEach((imp, i) => {
    if (forms[i] !== 'directory') return;
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
