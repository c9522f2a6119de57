// A comparable description of a directory tree: type, permission bits, and
// file content or symlink target per path (ownership and times left out).
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export type SnapshotEntry =
  | { type: 'dir'; mode: string }
  | { type: 'file'; mode: string; content: string }
  | { type: 'symlink'; target: string }
  | { type: 'other' };

export function snapshot(root: string): Record<string, SnapshotEntry> {
  const out: Record<string, SnapshotEntry> = {};
  const visit = (rel: string) => {
    const abs = rel === '' ? root : join(root, rel);
    const st = lstatSync(abs);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out[rel || '.'] = { type: 'symlink', target: readlinkSync(abs) };
    else if (st.isFile()) out[rel || '.'] = { type: 'file', mode, content: readFileSync(abs, 'utf8') };
    else if (st.isDirectory()) {
      out[rel || '.'] = { type: 'dir', mode };
      for (const name of readdirSync(abs).sort()) visit(rel === '' ? name : `${rel}/${name}`);
    } else out[rel || '.'] = { type: 'other' };
  };
  visit('');
  return out;
}
