import {
  chmodSync,
  closeSync,
  copyFileSync,
  fchmodSync,
  mkdirSync,
  openSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { streamBlobs } from './cat-file.js';
import { mappingContentHash } from './content-hash.js';
import { GitError } from './errors.js';
import type { GitSnapshot } from './repository.js';
import {
  type GitMappingSelector,
  type MappingSelection,
  narrowSelection,
  selectMappingEntries,
} from './select.js';

// The prepare side of a git mapping: writes exactly the selected files of one
// commit into a workspace folder, laid out so that one Dockerfile COPY puts
// them in place (werf-stapel.md §5.3):
//   directory add: <dir>/<path relative to add>   COPY --chown=o:g <dir>/ <to>/
//   file add:      <dir>/<basename(to)>           COPY --chown=o:g <dir>/<basename(to)> <to>
// (a file `add` is renamed to `to`, pitfall 7). Files keep git's modes
// (0644/0755), symlinks stay symlinks, folders are 0775 as werf creates
// them. Owner and group are not set here: COPY --chown applies them.

export interface LayoutFile {
  /** Path inside the destination folder. */
  target: string;
  kind: 'file' | 'executable' | 'symlink';
  oid: string;
}

export interface GitLayoutPlan {
  addKind: 'file' | 'directory';
  files: LayoutFile[];
  /** Folders to create under the destination, parents first. */
  dirs: string[];
}

function checkedSegments(path: string, what: string): string[] {
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new GitError(
      'GitMappingInvalid',
      `refusing to lay out ${what} ${JSON.stringify(path)}: not a plain relative path`,
    );
  }
  return segments;
}

/** Where each selected file goes (pure). A file `add` needs a `to` that names a file, not `/`. */
export function planGitLayout(selection: MappingSelection, to: string): GitLayoutPlan {
  const kindOf = (mode: string): LayoutFile['kind'] =>
    mode === '120000' ? 'symlink' : mode === '100755' ? 'executable' : 'file';
  if (selection.addKind === 'file') {
    const name = posix.basename(posix.normalize(to));
    if (name === '' || name === '/' || name === '.' || name === '..') {
      throw new GitError('GitMappingInvalid', `to ${JSON.stringify(to)} must name a file when add is a file`);
    }
    const e = selection.entries[0];
    if (!e)
      throw new GitError('GitMappingInvalid', `nothing selected from the file add for ${JSON.stringify(to)}`);
    return { addKind: 'file', files: [{ target: name, kind: kindOf(e.mode), oid: e.oid }], dirs: [] };
  }
  const dirs = new Set<string>();
  const files = selection.entries.map((e) => {
    const segments = checkedSegments(e.relPath, 'repository path');
    for (let i = 1; i < segments.length; i++) dirs.add(segments.slice(0, i).join('/'));
    return { target: e.relPath, kind: kindOf(e.mode), oid: e.oid };
  });
  return {
    addKind: 'directory',
    files,
    dirs: [...dirs].sort((a, b) => a.split('/').length - b.split('/').length),
  };
}

/** The COPY source (relative to the workspace) and destination for a mapping laid out in `dir`. */
export function gitMappingCopy(
  dir: string,
  addKind: 'file' | 'directory',
  to: string,
): { source: string; destination: string } {
  const cleanDir = dir.replace(/\/+$/, '');
  if (addKind === 'file')
    return { source: `${cleanDir}/${posix.basename(posix.normalize(to))}`, destination: to };
  return { source: `${cleanDir}/`, destination: to.endsWith('/') ? to : `${to}/` };
}

export interface LayoutGitMappingInput {
  snapshot: GitSnapshot;
  /** `selectPaths`/`skipPaths` narrow the mapping to one stage's share (src/plan/README.md, deviation 1). */
  mapping: GitMappingSelector & {
    to: string;
    selectPaths?: readonly string[];
    skipPaths?: readonly string[];
  };
  /** Folder to write into (created; must not already hold any of the files). */
  destDir: string;
  /** The content hash the plan was made with; a different selection fails before anything is written. */
  expectedContentHash?: string;
}

export interface LayoutGitMappingResult {
  addKind: 'file' | 'directory';
  contentHash: string;
  fileCount: number;
  /** Paths written, relative to destDir. */
  written: string[];
}

export async function layoutGitMapping(input: LayoutGitMappingInput): Promise<LayoutGitMappingResult> {
  const { snapshot, mapping, destDir } = input;
  const selection = narrowSelection(
    selectMappingEntries(await snapshot.listTree(), mapping),
    mapping.selectPaths ?? [],
    mapping.skipPaths ?? [],
  );
  const contentHash = mappingContentHash(selection);
  if (input.expectedContentHash !== undefined && input.expectedContentHash !== contentHash) {
    throw new GitError(
      'GitMappingInvalid',
      `add ${mapping.add} at commit ${snapshot.commit} selects content ${contentHash}, the plan expected ${input.expectedContentHash}`,
    );
  }
  const plan = planGitLayout(selection, mapping.to);
  await mkdir(destDir, { recursive: true });
  await chmod(destDir, 0o775);
  for (const d of plan.dirs) {
    mkdirSync(join(destDir, d), { mode: 0o775 });
    await chmod(join(destDir, d), 0o775);
  }
  await writeBlobs(snapshot, destDir, plan.files);
  return {
    addKind: plan.addKind,
    contentHash,
    fileCount: plan.files.length,
    written: plan.files.map((f) => f.target),
  };
}

/**
 * Streams every needed blob once and writes it to its targets. Regular files
 * are created exclusively (never through an existing path); symlinks are
 * made last, so no write can pass through a link this layout created.
 */
async function writeBlobs(
  snapshot: GitSnapshot,
  destDir: string,
  files: readonly LayoutFile[],
): Promise<void> {
  const byOid = new Map<string, LayoutFile[]>();
  for (const f of files) byOid.set(f.oid, [...(byOid.get(f.oid) ?? []), f]);
  const links: { target: string; text: string }[] = [];
  let fd: number | undefined;
  let linkChunks: Buffer[] | undefined;
  try {
    await streamBlobs(snapshot.gitDir, [...byOid.keys()], {
      start(oid) {
        const targets = byOid.get(oid)!;
        const first = targets.find((t) => t.kind !== 'symlink');
        if (first) fd = openExclusive(join(destDir, first.target), first.kind);
        linkChunks = targets.some((t) => t.kind === 'symlink') ? [] : undefined;
      },
      data(chunk) {
        if (fd !== undefined) writeAll(fd, chunk);
        linkChunks?.push(Buffer.from(chunk));
      },
      end(oid) {
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
        const targets = byOid.get(oid)!;
        const first = targets.find((t) => t.kind !== 'symlink');
        for (const t of targets) {
          if (t.kind === 'symlink')
            links.push({ target: t.target, text: Buffer.concat(linkChunks!).toString('utf8') });
          else if (t !== first) createFrom(join(destDir, first!.target), join(destDir, t.target), t.kind);
        }
      },
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  for (const l of links) symlinkSync(l.text, join(destDir, l.target));
}

function modeOf(kind: LayoutFile['kind']): number {
  return kind === 'executable' ? 0o755 : 0o644;
}

function openExclusive(path: string, kind: LayoutFile['kind']): number {
  const fd = openSync(path, 'wx', modeOf(kind));
  fchmodSync(fd, modeOf(kind)); // the umask must not change git's modes
  return fd;
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off);
}

function createFrom(source: string, target: string, kind: LayoutFile['kind']): void {
  closeSync(openExclusive(target, kind));
  copyFileSync(source, target);
  chmodSync(target, modeOf(kind));
}
