// Pushes a test image made of in-process layers with the project's own
// registry client: blobs first, then an OCI manifest under a tag.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { RegistryClient } from '../../src/registry/client.js';
import { OCI_CONFIG, OCI_LAYER_GZIP, OCI_MANIFEST } from '../../src/registry/media-types.js';
import { parseImageReference } from '../../src/registry/reference.js';
import { type LayerSpecEntry, layerTar } from './oci-layers.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface PushedImage {
  digest: string;
  /** `registry/repository@digest`. */
  ref: string;
  layers: Buffer[];
}

/** `tagRef` is `registry/repository:tag`; each layer is a list of entries (whiteouts included). */
export async function pushImage(
  client: RegistryClient,
  tagRef: string,
  layers: LayerSpecEntry[][],
  config: Record<string, unknown> = {},
): Promise<PushedImage> {
  const ref = parseImageReference(tagRef);
  const tars = await Promise.all(layers.map(layerTar));
  const gz = tars.map((t) => gzipSync(t, { level: 1 }));
  for (const blob of gz) await client.pushBlob(ref, blob);
  const configBlob = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/bin:/bin'], ...config },
      rootfs: { type: 'layers', diff_ids: tars.map(sha) },
    }),
  );
  await client.pushBlob(ref, configBlob);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha(configBlob), size: configBlob.length },
      layers: gz.map((b) => ({ mediaType: OCI_LAYER_GZIP, digest: sha(b), size: b.length })),
    }),
  );
  const digest = await client.putManifest(ref, manifest, OCI_MANIFEST);
  return { digest, ref: `${ref.registry}/${ref.repository}@${digest}`, layers: gz };
}
