import { parseDockerReference } from './docker-reference.js';
import type { DockerfileImage, StapelImage, YamlPath } from './model.js';
import type { Diagnostics, DocumentScope, ModelSourceMap } from './parse/diagnostics.js';

// Rules between images (werf-stapel.md §2.9, 26-29): unique names, bases
// resolved by name lookup, referenced images exist, no cycles, and platforms
// of imports and dependencies line up.

interface Context {
  diagnostics: Diagnostics;
  sourceMap: ModelSourceMap;
  scopeOf(image: StapelImage | DockerfileImage): DocumentScope;
  hostPlatform: string;
}

type AnyImage = StapelImage | DockerfileImage;

interface Edge {
  to: string;
  path: YamlPath;
}

export function checkReferences(
  images: StapelImage[],
  dockerfileImages: DockerfileImage[],
  ctx: Context,
): void {
  const all: AnyImage[] = [...images, ...dockerfileImages].sort((a, b) => a.docIndex - b.docIndex);
  const byName = new Map<string, AnyImage>();
  const err = (image: AnyImage, path: YamlPath, message: string, at: 'key' | 'value' = 'value') =>
    ctx.diagnostics.error(ctx.scopeOf(image), path, message, 'rule', at);
  const namePath = (image: AnyImage): YamlPath => {
    const doc = ctx.scopeOf(image).doc;
    const field = image.kind === 'artifact' ? 'artifact' : 'image';
    const names = (doc.value as Record<string, unknown>)[field];
    if (Array.isArray(names)) {
      const i = names.indexOf(image.name);
      if (i >= 0) return [field, i];
    }
    return [field];
  };

  // Rule 26.
  for (const image of all) {
    const earlier = byName.get(image.name);
    if (earlier) {
      err(
        image,
        namePath(image),
        `image name ${JSON.stringify(image.name)} is already used by document ${earlier.docIndex + 1}; names must be unique`,
      );
      continue;
    }
    byName.set(image.name, image);
  }
  if (byName.has('')) {
    const finals = all.filter((i) => i.final).length;
    if (finals > 1) {
      err(
        byName.get('') as AnyImage,
        namePath(byName.get('') as AnyImage),
        `a nameless image ("image: ~") is only allowed when the config has a single final image; this one has ${finals}: give it a name`,
      );
    }
  }

  // Bases (§2.1) and rule 27.
  const edges = new Map<AnyImage, Edge[]>();
  for (const image of all) edges.set(image, []);
  for (const image of images) {
    const out = edges.get(image) as Edge[];
    const { from, fromImage, fromArtifact } = image.fromRaw;
    if (fromArtifact !== undefined) {
      if (!byName.has(fromArtifact))
        err(
          image,
          ['fromArtifact'],
          `"fromArtifact" names ${JSON.stringify(fromArtifact)}, which is not an image or artifact of this config`,
        );
      image.base = { kind: 'image', image: fromArtifact, via: 'fromArtifact' };
      out.push({ to: fromArtifact, path: ['fromArtifact'] });
    } else if (fromImage !== undefined || from !== undefined) {
      const via = fromImage !== undefined ? 'fromImage' : 'from';
      let base = (fromImage ?? from) as string;
      if (base === image.name) base = `${base}:latest`; // werf's legacy rule: `image: alpine` + `from: alpine`
      if (byName.has(base)) {
        image.base = { kind: 'image', image: base, via };
        out.push({ to: base, path: [via] });
      } else if (base === 'scratch') {
        image.base = { kind: 'scratch' };
      } else {
        image.base = { kind: 'external', reference: base };
        // It becomes the FROM line of a Dockerfile: a line break or a space would inject instructions.
        if (!parseDockerReference(base))
          err(
            image,
            [via],
            `${JSON.stringify(base)} is neither an image of this config nor a valid image reference (such as "alpine:3.20" or "registry.example.com/team/base@sha256:<64 hex digits>")`,
          );
      }
    }
    image.import.forEach((imp) => {
      const path = ctx.sourceMap.pathOf(imp) ?? ['import'];
      if (imp.source.kind !== 'image') return;
      if (!byName.has(imp.source.image)) {
        err(
          image,
          [...path, imp.source.via],
          `import source ${JSON.stringify(imp.source.image)} is not an image of this config; for an external image give a tag or digest (e.g. "${imp.source.image}:latest")`,
        );
        return;
      }
      out.push({ to: imp.source.image, path: [...path, imp.source.via] });
    });
  }
  for (const image of all) {
    for (const dep of image.dependencies) {
      const path = ctx.sourceMap.pathOf(dep) ?? ['dependencies'];
      if (!byName.has(dep.image)) {
        err(
          image,
          [...path, 'image'],
          `dependency ${JSON.stringify(dep.image)} is not an image of this config`,
        );
        continue;
      }
      (edges.get(image) as Edge[]).push({ to: dep.image, path: [...path, 'image'] });
    }
  }

  // Rule 28: cycles, each reported once with its chain.
  const state = new Map<AnyImage, 'open' | 'done'>();
  const stack: { image: AnyImage; edge: Edge | undefined }[] = [];
  const reported = new Set<string>();
  const visit = (image: AnyImage, via: Edge | undefined) => {
    state.set(image, 'open');
    stack.push({ image, edge: via });
    for (const edge of edges.get(image) ?? []) {
      const target = byName.get(edge.to);
      if (!target) continue;
      if (state.get(target) === 'open') {
        const start = stack.findIndex((s) => s.image === target);
        const members = stack.slice(start).map((s) => s.image);
        const key = members
          .map((m) => m.name)
          .sort()
          .join('\0');
        if (!reported.has(key)) {
          reported.add(key);
          const chain = [...members.map((m) => JSON.stringify(m.name)), JSON.stringify(target.name)].join(
            ' -> ',
          );
          err(image, edge.path, `images depend on each other in a cycle: ${chain}`);
        }
      } else if (!state.has(target)) {
        visit(target, edge);
      }
    }
    stack.pop();
    state.set(image, 'done');
  };
  for (const image of all) if (!state.has(image)) visit(image, undefined);

  // Rule 29: every platform of an image must be a platform of what it imports from or depends on.
  const platformsOf = (image: AnyImage) => (image.platform.length > 0 ? image.platform : [ctx.hostPlatform]);
  for (const image of all) {
    const refs: { name: string; path: YamlPath }[] = [];
    if (image.kind !== 'dockerfile') {
      for (const imp of image.import) {
        if (imp.source.kind === 'image')
          refs.push({ name: imp.source.image, path: [...(ctx.sourceMap.pathOf(imp) ?? []), imp.source.via] });
      }
    }
    for (const dep of image.dependencies)
      refs.push({ name: dep.image, path: [...(ctx.sourceMap.pathOf(dep) ?? []), 'image'] });
    for (const ref of refs) {
      const source = byName.get(ref.name);
      if (!source) continue;
      const missing = platformsOf(image).filter((p) => !platformsOf(source).includes(p));
      if (missing.length > 0) {
        err(
          image,
          ref.path,
          `${JSON.stringify(ref.name)} is not built for ${missing.join(', ')}, which ${JSON.stringify(image.name)} is built for; add ${missing.length > 1 ? 'them' : 'it'} to the "platform" of ${JSON.stringify(ref.name)}`,
        );
      }
    }
  }
}
