import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

export interface ImageFile {
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  /** Permission bits (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  linkname?: string;
  content?: Buffer;
}

export interface PulledImage {
  /** The registry's manifest digest (Docker-Content-Digest). */
  digest: string;
  manifest: {
    mediaType?: string;
    config: { digest: string };
    layers: { digest: string; mediaType: string }[];
  };
  config: { config?: { Env?: string[]; Cmd?: string[]; Labels?: Record<string, string>; User?: string } };
  /** The flattened filesystem: every layer applied in order, whiteouts honoured. */
  files: Map<string, ImageFile>;
}

const ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

/**
 * Reads an image from a plain-HTTP registry and flattens its layers, so tests
 * can assert what a build put where, with owner, group and mode.
 * `reference` is `host:port/repository:tag` or `...@sha256:...`.
 */
export async function readImage(reference: string): Promise<PulledImage> {
  const { host, repository, ref } = parseReference(reference);
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${ref}`, {
    headers: { accept: ACCEPT },
  });
  if (!res.ok) throw new Error(`GET manifest ${reference}: HTTP ${res.status} ${await res.text()}`);
  const digest = res.headers.get('docker-content-digest') ?? '';
  const manifest = (await res.json()) as PulledImage['manifest'];
  if (!manifest.layers) throw new Error(`${reference} is not a single-platform image manifest`);
  const config = JSON.parse((await blob(host, repository, manifest.config.digest)).toString('utf8'));
  const files = new Map<string, ImageFile>();
  for (const layer of manifest.layers) {
    await applyLayer(files, await blob(host, repository, layer.digest));
  }
  return { digest, manifest, config, files };
}

function parseReference(reference: string): { host: string; repository: string; ref: string } {
  const host = reference.slice(0, reference.indexOf('/'));
  const rest = reference.slice(host.length + 1);
  const at = rest.indexOf('@');
  if (at >= 0) return { host, repository: rest.slice(0, at), ref: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  return colon >= 0
    ? { host, repository: rest.slice(0, colon), ref: rest.slice(colon + 1) }
    : { host, repository: rest, ref: 'latest' };
}

async function blob(host: string, repository: string, digest: string): Promise<Buffer> {
  const res = await fetch(`http://${host}/v2/${repository}/blobs/${digest}`);
  if (!res.ok) throw new Error(`GET blob ${digest} of ${host}/${repository}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

async function applyLayer(files: Map<string, ImageFile>, data: Buffer): Promise<void> {
  const gzipped = data[0] === 0x1f && data[1] === 0x8b;
  const extract = tar.extract();
  const source = Readable.from([data]);
  (gzipped ? source.pipe(createGunzip()) : source).pipe(extract);
  for await (const entry of extract) {
    const path = normalize(entry.header.name);
    const base = path.slice(path.lastIndexOf('/') + 1);
    const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (base === '.wh..wh..opq') {
      for (const key of [...files.keys()]) if (key.startsWith(`${dir}/`)) files.delete(key);
      continue;
    }
    if (base.startsWith('.wh.')) {
      const gone = (dir ? `${dir}/` : '') + base.slice(4);
      for (const key of [...files.keys()]) if (key === gone || key.startsWith(`${gone}/`)) files.delete(key);
      continue;
    }
    const h = entry.header;
    const type =
      h.type === 'file' || h.type === 'contiguous-file'
        ? 'file'
        : h.type === 'directory' || h.type === 'symlink' || h.type === 'link'
          ? h.type
          : 'other';
    files.set(path, {
      path,
      type,
      mode: (h.mode ?? 0) & 0o7777,
      uid: h.uid ?? 0,
      gid: h.gid ?? 0,
      ...(h.linkname ? { linkname: h.linkname } : {}),
      ...(type === 'file' ? { content: Buffer.concat(chunks) } : {}),
    });
  }
}

/** Layer paths as `a/b` (no leading ./ or /, no trailing /). */
function normalize(name: string): string {
  return name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
}
