// Builds OCI layer blobs in-process (tar-stream pack + gzip) from a list of
// entries, whiteouts and opaque markers included, for tests that need exact
// layer contents (deletions, opaque directories, replaced files).
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export type LayerSpecEntry =
  | { type: 'file'; path: string; content: string | Buffer; mode?: number; uid?: number; gid?: number }
  | { type: 'dir'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'hardlink'; path: string; target: string }
  | { type: 'fifo'; path: string }
  | { type: 'whiteout'; path: string }
  | { type: 'opaque'; dir: string };

const mtime = new Date('2024-01-01T00:00:00Z');

export async function layerTar(entries: LayerSpecEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => {
    chunks.push(c as Buffer);
  });
  const ended = new Promise<void>((resolve, reject) => {
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  const add = (header: Parameters<typeof p.entry>[0], body?: string | Buffer) =>
    new Promise<void>((resolve, reject) => {
      p.entry({ mtime, uid: 0, gid: 0, ...header }, body ?? '', (err) => (err ? reject(err) : resolve()));
    });
  for (const e of entries) {
    switch (e.type) {
      case 'file':
        await add(
          { name: e.path, type: 'file', mode: e.mode ?? 0o644, uid: e.uid ?? 0, gid: e.gid ?? 0 },
          e.content,
        );
        break;
      case 'dir':
        await add({
          name: `${e.path}/`,
          type: 'directory',
          mode: e.mode ?? 0o755,
          uid: e.uid ?? 0,
          gid: e.gid ?? 0,
        });
        break;
      case 'symlink':
        await add({ name: e.path, type: 'symlink', linkname: e.target, mode: 0o777 });
        break;
      case 'hardlink':
        await add({ name: e.path, type: 'link', linkname: e.target, mode: 0o644 });
        break;
      case 'fifo':
        await add({ name: e.path, type: 'fifo', mode: 0o644 });
        break;
      case 'whiteout': {
        const slash = e.path.lastIndexOf('/');
        await add({
          name: `${e.path.slice(0, slash + 1)}.wh.${e.path.slice(slash + 1)}`,
          type: 'file',
          mode: 0o644,
        });
        break;
      }
      case 'opaque':
        await add({ name: `${e.dir === '' ? '' : `${e.dir}/`}.wh..wh..opq`, type: 'file', mode: 0o644 });
        break;
    }
  }
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

export async function gzipLayer(entries: LayerSpecEntry[]): Promise<Buffer> {
  return gzipSync(await layerTar(entries), { level: 1 });
}
