// Writes selected image entries to a local folder with their modes, mtimes
// and symlinks intact (ownership is left to `COPY --chown`). File bytes come
// from the content store's spill files, hard-linked (same filesystem) or
// copied.
import { chmod, copyFile, link, lutimes, mkdir, readdir, symlink, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ContentStore } from './image-subtree.js';
import type { SelectedEntry } from './subtree-select.js';

export interface WriteSummary {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
  /** Special files (devices, FIFOs) not written, as werf's Buildah import skips them. */
  skipped: string[];
}

async function placeFile(source: string, target: string): Promise<void> {
  try {
    await link(source, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(source, target);
  }
}

/**
 * Writes the entries under `dest` (relPath '' is `dest` itself). `dest` must
 * not exist yet or be an empty directory: each import gets its own folder.
 */
export async function writeEntries(
  entries: SelectedEntry[],
  store: ContentStore,
  dest: string,
): Promise<WriteSummary> {
  await mkdir(dirname(dest), { recursive: true });
  const existing = await readdir(dest).catch(() => undefined);
  if (existing && existing.length > 0) throw new Error(`workspace folder ${dest} is not empty`);
  const summary: WriteSummary = { files: 0, directories: 0, symlinks: 0, bytes: 0, skipped: [] };
  const dirs: Array<{ path: string; mode: number; mtime: number }> = [];
  for (const entry of entries) {
    const path = entry.relPath === '' ? dest : join(dest, entry.relPath);
    const n = entry.node;
    switch (n.type) {
      case 'directory':
        // Writable while filling; the real mode is set once its children exist.
        await mkdir(path, { recursive: true, mode: 0o700 });
        dirs.push({ path, mode: n.mode, mtime: n.mtime });
        summary.directories++;
        break;
      case 'file': {
        const stored = store.get(n.content);
        if (!stored.file) throw new Error(`internal: bytes of /${n.content.name} were hashed but not kept`);
        await placeFile(stored.file, path);
        await chmod(path, n.mode);
        await utimes(path, n.mtime, n.mtime);
        summary.files++;
        summary.bytes += n.size;
        break;
      }
      case 'symlink':
        await symlink(n.target, path);
        await lutimes(path, n.mtime, n.mtime);
        summary.symlinks++;
        break;
      default:
        summary.skipped.push(`${entry.relPath || '.'} (${n.type})`);
    }
  }
  for (const d of dirs.reverse()) {
    await chmod(d.path, d.mode);
    await utimes(d.path, d.mtime, d.mtime);
  }
  return summary;
}
