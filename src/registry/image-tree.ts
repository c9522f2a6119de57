// The filesystem an image's layers add up to, as metadata only (file bytes
// stay in the layers; a file node says which layer entry holds them).
// Layers are applied with the OCI rules (image-spec layer.md): whiteouts and
// opaque directories hide lower layers only, never entries of their own
// layer; a new entry replaces what was at its path unless both are
// directories, in which case only the attributes change.

/** Where a regular file's bytes live: the tar entry `name` of layer `layer`. */
export interface ContentRef {
  layer: number;
  name: string;
}

export interface NodeAttrs {
  mode: number;
  uid: number;
  gid: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
}

export interface DirNode extends NodeAttrs {
  type: 'directory';
  children: Map<string, FsNode>;
}
export interface FileNode extends NodeAttrs {
  type: 'file';
  size: number;
  content: ContentRef;
}
export interface SymlinkNode extends NodeAttrs {
  type: 'symlink';
  target: string;
}
export interface SpecialNode extends NodeAttrs {
  type: 'character-device' | 'block-device' | 'fifo';
  devmajor: number;
  devminor: number;
}
export type FsNode = DirNode | FileNode | SymlinkNode | SpecialNode;
export type LeafNode = Exclude<FsNode, DirNode>;

/** One layer's changes, in tar order. Paths are normalised: relative, no `.`/`..`, "" is the root. */
export interface LayerChanges {
  entries: LayerEntry[];
  /** Paths hidden by `.wh.<name>` entries. */
  whiteouts: string[];
  /** Directories whose lower-layer children are hidden (`.wh..wh..opq`). */
  opaques: string[];
}

export type LayerEntry =
  | { path: string; kind: 'directory'; attrs: NodeAttrs }
  | { path: string; kind: 'leaf'; node: LeafNode }
  | { path: string; kind: 'hardlink'; target: string };

export class LayerApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayerApplyError';
  }
}

export function newDir(attrs: NodeAttrs = { mode: 0o755, uid: 0, gid: 0, mtime: 0 }): DirNode {
  return { type: 'directory', children: new Map(), ...attrs };
}

export function splitPath(path: string): string[] {
  return path === '' ? [] : path.split('/');
}

/** The node at a normalised path, following no symlinks. */
export function lookup(root: DirNode, path: string): FsNode | undefined {
  let node: FsNode = root;
  for (const part of splitPath(path)) {
    if (node.type !== 'directory') return undefined;
    const next = node.children.get(part);
    if (!next) return undefined;
    node = next;
  }
  return node;
}

/** The directory holding `path`, creating missing parents (and replacing non-directories in the way). */
function parentDir(root: DirNode, path: string): { dir: DirNode; name: string } {
  const parts = splitPath(path);
  const name = parts.pop() as string;
  let dir = root;
  for (const part of parts) {
    let next = dir.children.get(part);
    if (next?.type !== 'directory') {
      next = newDir();
      dir.children.set(part, next);
    }
    dir = next;
  }
  return { dir, name };
}

function remove(root: DirNode, path: string): void {
  if (path === '') {
    root.children.clear();
    return;
  }
  const parts = splitPath(path);
  const name = parts.pop() as string;
  const parent = lookup(root, parts.join('/'));
  if (parent?.type === 'directory') parent.children.delete(name);
}

/** Applies one layer on top of the tree (mutates `root`). */
export function applyLayer(root: DirNode, layer: LayerChanges, layerLabel: string): void {
  // Hide lower-layer content first, so nothing this layer adds is hidden.
  for (const path of layer.whiteouts) remove(root, path);
  for (const path of layer.opaques) {
    const dir = lookup(root, path);
    if (dir?.type === 'directory') dir.children.clear();
  }
  for (const entry of layer.entries) {
    if (entry.path === '') {
      if (entry.kind !== 'directory')
        throw new LayerApplyError(`${layerLabel}: the root entry is not a directory`);
      Object.assign(root, entry.attrs);
      continue;
    }
    const { dir, name } = parentDir(root, entry.path);
    const existing = dir.children.get(name);
    if (entry.kind === 'directory') {
      if (existing?.type === 'directory') Object.assign(existing, entry.attrs);
      else dir.children.set(name, newDir(entry.attrs));
    } else if (entry.kind === 'leaf') {
      dir.children.set(name, { ...entry.node });
    } else {
      const target = lookup(root, entry.target);
      if (!target) {
        throw new LayerApplyError(
          `${layerLabel}: hard link /${entry.path} points to /${entry.target}, which does not exist`,
        );
      }
      if (target.type === 'directory') {
        throw new LayerApplyError(
          `${layerLabel}: hard link /${entry.path} points to the directory /${entry.target}`,
        );
      }
      // A hard link shares the target's inode as it is now: same bytes and attributes.
      dir.children.set(name, { ...target });
    }
  }
}

export type ResolveResult =
  | { found: true; path: string; node: FsNode }
  | { found: false; path: string; reason: string };

/**
 * Resolves an absolute path inside the image, following symlinks in its
 * parents within the image root (an absolute link target starts at the
 * image root; `..` stops at it), never the final component: a symlink
 * `add` is itself the entry to copy.
 */
export function resolveInImage(root: DirNode, absPath: string): ResolveResult {
  let pending = absPath.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let node: FsNode = root;
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      done.pop();
      node = lookup(root, done.join('/')) as FsNode;
      continue;
    }
    if (node.type !== 'directory') {
      return { found: false, path: `/${done.join('/')}`, reason: `/${done.join('/')} is not a directory` };
    }
    const child = node.children.get(part);
    if (!child)
      return { found: false, path: `/${[...done, part].join('/')}`, reason: 'no such file or directory' };
    if (child.type === 'symlink' && pending.length > 0) {
      if (++hops > 40)
        return { found: false, path: `/${done.join('/')}`, reason: 'too many levels of symbolic links' };
      const target = splitPath(child.target.replace(/\/+$/, '')).filter((p) => p !== '' && p !== '.');
      if (child.target.startsWith('/')) {
        done.length = 0;
        node = root;
      }
      pending = [...target, ...pending];
      continue;
    }
    done.push(part);
    node = child;
  }
  return { found: true, path: `/${done.join('/')}`, node };
}
