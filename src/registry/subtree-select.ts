// Which entries of an image subtree an import takes (werf-stapel.md §5.1
// step 5 and §5.2, with "exclude wins at any depth"): every entry is judged
// on its own path relative to `add`; excluded directories are not entered;
// a directory that is not selected itself but holds selected entries is
// still listed, as a parent to create.
import type { PathFilter } from '../werf/paths.js';
import type { FsNode } from './image-tree.js';

export interface SelectedEntry {
  /** Path relative to `add`; '' is `add` itself. */
  relPath: string;
  node: FsNode;
  /** False for a directory listed only because selected entries live below it. */
  selected: boolean;
}

/** Lexicographic order of UTF-8 bytes, as Go sorts strings. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Entries in walk order (a directory before its children, children in
 * byte order). A non-directory `add` is the single entry. The root of a
 * directory `add` is always listed: the destination directory exists even
 * when nothing matches.
 */
export function selectSubtree(add: FsNode, filter: PathFilter): SelectedEntry[] {
  if (add.type !== 'directory') return [{ relPath: '', node: add, selected: true }];
  const out: SelectedEntry[] = [{ relPath: '', node: add, selected: true }];
  const walk = (dir: FsNode & { type: 'directory' }, prefix: string): boolean => {
    let any = false;
    for (const name of [...dir.children.keys()].sort(byteOrder)) {
      const node = dir.children.get(name) as FsNode;
      const relPath = prefix === '' ? name : `${prefix}/${name}`;
      if (node.type === 'directory') {
        if (filter.excludes(relPath)) continue;
        const at = out.length;
        const selected = filter.selects(relPath);
        out.push({ relPath, node, selected });
        const below = walk(node, relPath);
        if (!selected && !below) out.splice(at, 1);
        any ||= selected || below;
      } else if (filter.selects(relPath)) {
        out.push({ relPath, node, selected: true });
        any = true;
      }
    }
    return any;
  };
  walk(add, '');
  return out;
}
