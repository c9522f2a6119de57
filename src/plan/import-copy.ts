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

/** Owner and group a COPY gives the imported entries (`--chown`); empty strings: COPY's default, root. */
export interface ImportOwnership {
  owner: string;
  group: string;
}

/**
 * Who owns the imported entries when the import names neither owner nor
 * group. werf keeps the source's ids (werf-stapel.md §5.1 step 6, Buildah);
 * a Dockerfile COPY from the build context makes everything root's unless
 * --chown says otherwise. So: the source's numeric ids when every entry has
 * the same ones; undefined when they are all root's (COPY's default is
 * right) or there are none; `mixed` when the entries disagree (one COPY
 * cannot keep them: they become root's, and `prepare` warns).
 */
export function sourceOwnership(
  ids: readonly { uid: number; gid: number }[],
): ImportOwnership | 'mixed' | undefined {
  const first = ids[0];
  if (!first) return undefined;
  if (ids.some((i) => i.uid !== first.uid || i.gid !== first.gid)) return 'mixed';
  if (first.uid === 0 && first.gid === 0) return undefined;
  return { owner: String(first.uid), group: String(first.gid) };
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
 * The Dockerfile with the COPY line of each import rewritten where `prepare`
 * learned more than the planner knew: the directory form for a directory
 * `add` (`forms`), and the source's owner and group for an import that
 * names none (`owners`). Fails when a line to rewrite is not in the
 * Dockerfile exactly once (a spec not written by this planner).
 */
export function withImportCopyForms(
  dockerfile: string,
  imports: readonly { dir: string; add: string; to: string; owner: string; group: string }[],
  forms: readonly CopyForm[],
  owners: readonly (ImportOwnership | undefined)[] = [],
): string {
  const lines = dockerfile.split('\n');
  imports.forEach((imp, i) => {
    const owner = owners[i];
    if (forms[i] !== 'directory' && owner === undefined) return;
    const planned = importCopyInstruction(imp, 'file');
    const at = lines.flatMap((line, n) => (line === planned ? [n] : []));
    if (at.length !== 1) {
      throw new Error(
        `import ${i}: the Dockerfile has ${at.length} lines ${JSON.stringify(planned)}, expected exactly one`,
      );
    }
    lines[at[0] as number] = importCopyInstruction({ ...imp, ...owner }, forms[i] ?? 'file');
  });
  return lines.join('\n');
}
