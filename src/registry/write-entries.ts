// Writes selected image entries to a local folder with their modes, mtimes
// and symlinks intact (ownership is left to `COPY --chown`). File bytes come
// from the content store's spill files (ContentStore.place: hard link, or
// rename for the last use; copied across file systems). Synchronous file
// system calls: thousands of small metadata operations are faster without a
// thread-pool round trip each.
import { chmodSync, lutimesSync, mkdirSync, readdirSync, symlinkSync, utimesSync } from 'node:fs';
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

/**
 * Writes the entries under `dest` (relPath '' is `dest` itself). `dest` must
 * not exist yet or be an empty directory: each import gets its own folder.
 */
export function writeEntries(entries: SelectedEntry[], store: ContentStore, dest: string): WriteSummary {
  mkdirSync(dirname(dest), { recursive: true });
  let existing: string[] | undefined;
  try {
    existing = readdirSync(dest);
  } catch {
    existing = undefined;
  }
  if (existing && existing.length > 0) throw new Error(`workspace folder ${dest} is not empty`);
  const summary: WriteSummary = { files: 0, directories: 0, symlinks: 0, bytes: 0, skipped: [] };
  const dirs: Array<{ path: string; mode: number; mtime: number }> = [];
  for (const entry of entries) {
    const path = entry.relPath === '' ? dest : join(dest, entry.relPath);
    const n = entry.node;
    switch (n.type) {
      case 'directory':
        // Writable while filling; the real mode is set once its children exist.
        mkdirSync(path, { recursive: true, mode: 0o700 });
        dirs.push({ path, mode: n.mode, mtime: n.mtime });
        summary.directories++;
        break;
      case 'file': {
        const stored = store.place(n.content, path);
        // Spilled with its attributes already (same layer entry, so the same mode and mtime).
        if (stored.mode !== n.mode) chmodSync(path, n.mode);
        if (stored.mtime !== n.mtime) utimesSync(path, n.mtime, n.mtime);
        summary.files++;
        summary.bytes += n.size;
        break;
      }
      case 'symlink':
        symlinkSync(n.target, path);
        lutimesSync(path, n.mtime, n.mtime);
        summary.symlinks++;
        break;
      default:
        summary.skipped.push(`${entry.relPath || '.'} (${n.type})`);
    }
  }
  for (const d of dirs.reverse()) {
    chmodSync(d.path, d.mode);
    utimesSync(d.path, d.mtime, d.mtime);
  }
  return summary;
}
