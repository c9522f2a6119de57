import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitReference } from './kaniko-flags.js';

/**
 * Basic credentials for a registry host from $DOCKER_CONFIG/config.json (the
 * file Kaniko reads), as an Authorization header; none when absent.
 */
export function authHeaders(host: string): Record<string, string> {
  const dir = process.env.DOCKER_CONFIG;
  const file = dir ? join(dir, 'config.json') : '';
  if (!file || !existsSync(file)) return {};
  const config = JSON.parse(readFileSync(file, 'utf8')) as {
    auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  };
  const entry = config.auths?.[host] ?? config.auths?.[`http://${host}`] ?? config.auths?.[`https://${host}`];
  if (!entry) return {};
  const auth =
    entry.auth ?? Buffer.from(`${entry.username ?? ''}:${entry.password ?? ''}`).toString('base64');
  return { authorization: `Basic ${auth}` };
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

/** The registry's digest (Docker-Content-Digest) of a manifest, over plain HTTP. */
export async function manifestDigest(reference: string): Promise<string> {
  const { host, repository, tag } = splitReference(reference);
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_TYPES, ...authHeaders(host) },
  });
  const digest = res.headers.get('docker-content-digest');
  if (!res.ok || !digest) throw new Error(`HEAD manifest ${reference}: HTTP ${res.status}`);
  return digest;
}

/**
 * Makes `to` point at exactly the manifest of `from` (same bytes, so the same
 * digest), mounting or copying its blobs first. Kaniko pushes one image to
 * every destination; pushing with buildah twice could compress layers anew.
 */
export async function copyManifest(from: string, to: string): Promise<void> {
  const src = splitReference(from);
  const dst = splitReference(to);
  const res = await fetch(`http://${src.host}/v2/${src.repository}/manifests/${src.tag}`, {
    headers: { accept: MANIFEST_TYPES, ...authHeaders(src.host) },
  });
  if (!res.ok) throw new Error(`GET manifest ${from}: HTTP ${res.status}`);
  const contentType =
    res.headers.get('content-type') ?? 'application/vnd.docker.distribution.manifest.v2+json';
  const body = Buffer.from(await res.arrayBuffer());
  const manifest = JSON.parse(body.toString('utf8')) as {
    config?: { digest: string };
    layers?: { digest: string }[];
  };
  const blobs = [manifest.config?.digest, ...(manifest.layers ?? []).map((l) => l.digest)].filter(
    (d): d is string => Boolean(d),
  );
  for (const digest of blobs) await copyBlob(src, dst, digest);
  const put = await fetch(`http://${dst.host}/v2/${dst.repository}/manifests/${dst.tag}`, {
    method: 'PUT',
    headers: { 'content-type': contentType, ...authHeaders(dst.host) },
    body,
  });
  if (!put.ok) throw new Error(`PUT manifest ${to}: HTTP ${put.status} ${await put.text()}`);
}

type Ref = ReturnType<typeof splitReference>;

async function copyBlob(src: Ref, dst: Ref, digest: string): Promise<void> {
  const head = await fetch(`http://${dst.host}/v2/${dst.repository}/blobs/${digest}`, {
    method: 'HEAD',
    headers: authHeaders(dst.host),
  });
  if (head.ok) return;
  const mountQuery = src.host === dst.host ? `?mount=${digest}&from=${src.repository}` : '';
  const start = await fetch(`http://${dst.host}/v2/${dst.repository}/blobs/uploads/${mountQuery}`, {
    method: 'POST',
  });
  if (start.status === 201) return;
  if (start.status !== 202)
    throw new Error(`blob upload to ${dst.host}/${dst.repository}: HTTP ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', `http://${dst.host}`);
  const blob = await fetch(`http://${src.host}/v2/${src.repository}/blobs/${digest}`, {
    headers: authHeaders(src.host),
  });
  if (!blob.ok) throw new Error(`GET blob ${digest} from ${src.host}/${src.repository}: HTTP ${blob.status}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', ...authHeaders(dst.host) },
    body: Buffer.from(await blob.arrayBuffer()),
  });
  if (!put.ok) throw new Error(`PUT blob ${digest} to ${dst.host}/${dst.repository}: HTTP ${put.status}`);
}
