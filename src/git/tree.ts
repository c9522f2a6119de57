// The tree of one commit as `git ls-tree -r -z --full-tree <commit>` prints it:
// every blob (file or symlink) and gitlink (submodule) with its mode and
// object id. Everything in src/git that decides what a mapping selects works
// on this listing, so it is testable without a repository.

/** Git's file modes for the entries `ls-tree -r` lists (directories are implied by paths). */
export type TreeMode = '100644' | '100755' | '120000' | '160000';

export interface TreeEntry {
  /** Path from the repository root, no leading slash, `/`-separated, exactly as stored. */
  path: string;
  mode: TreeMode;
  /** `blob` for files and symlinks (the blob is the link target), `commit` for submodules. */
  type: 'blob' | 'commit';
  /** Object id (hex). */
  oid: string;
}

const MODES = new Set<string>(['100644', '100755', '120000', '160000']);

/**
 * Parses NUL-terminated `ls-tree -r -z` output. Old repositories may carry
 * the historic mode 100664; git reads it as a regular file, and so do we.
 */
export function parseLsTree(output: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of output.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const meta = tab < 0 ? [] : record.slice(0, tab).split(' ');
    const [rawMode, type, oid] = meta;
    if (tab < 0 || meta.length !== 3 || !rawMode || !oid || (type !== 'blob' && type !== 'commit')) {
      throw new Error(`unexpected git ls-tree record: ${JSON.stringify(record.slice(0, 200))}`);
    }
    const mode = rawMode === '100664' ? '100644' : rawMode;
    if (!MODES.has(mode)) throw new Error(`unexpected git file mode ${rawMode} for ${record.slice(tab + 1)}`);
    entries.push({ path: record.slice(tab + 1), mode: mode as TreeMode, type, oid });
  }
  return entries;
}
