// What a few paths are in an image, from its layers' metadata alone (no file
// bytes kept or hashed): one pass over the layers, the final tree, and each
// path resolved as COPY would reach it (symlinked parents followed inside the
// image, the final component not).

import type { LayerBlob } from './image-subtree.js';
import type { FsNode } from './image-tree.js';
import { applyLayer, newDir, resolveInImage } from './image-tree.js';
import { readLayer } from './layer-reader.js';

export type PathKind = FsNode['type'] | 'absent';

export async function pathKinds(
  layers: LayerBlob[],
  paths: readonly string[],
): Promise<Map<string, PathKind>> {
  const root = newDir();
  for (const [index, layer] of layers.entries()) {
    const changes = await readLayer(await layer.open(), index, {
      label: layer.label,
      mediaType: layer.mediaType,
      wantContent: () => false,
      onContent: async () => {},
    });
    applyLayer(root, changes, `layer ${layer.label}`);
  }
  const out = new Map<string, PathKind>();
  for (const p of paths) {
    const r = resolveInImage(root, p);
    out.set(p, r.found ? r.node.type : 'absent');
  }
  return out;
}
