import type { StapelImage } from '../werf/model.js';

// The image graph: which images an image needs built first. Edges come from
// an internal base (`from`/`fromImage`/`fromArtifact`), import sources and
// `dependencies`. Unknown references and cycles are errors that name both
// ends; `images:` selects final images and pulls in their closure.

export type EdgeKind = 'from' | 'import' | 'dependency';

export interface ImageEdge {
  /** The image that needs the other one. */
  image: string;
  needs: string;
  kind: EdgeKind;
  /** Where in the image's document, e.g. `import[1].from`. */
  path: string;
}

export interface GraphError {
  image: string;
  path: string;
  message: string;
}

export function imageEdges(image: StapelImage): ImageEdge[] {
  const edges: ImageEdge[] = [];
  if (image.base.kind === 'image') {
    edges.push({ image: image.name, needs: image.base.image, kind: 'from', path: image.base.via });
  }
  image.import.forEach((imp, i) => {
    if (imp.source.kind === 'image') {
      edges.push({
        image: image.name,
        needs: imp.source.image,
        kind: 'import',
        path: `import[${i}].${imp.source.via}`,
      });
    }
  });
  image.dependencies.forEach((dep, i) => {
    edges.push({ image: image.name, needs: dep.image, kind: 'dependency', path: `dependencies[${i}].image` });
  });
  return edges;
}

const EDGE_VERB: Record<EdgeKind, string> = {
  from: 'is built from',
  import: 'imports from',
  dependency: 'depends on',
};

export interface ImageGraph {
  /** Images to plan, dependencies before dependants (stable: config order where free). */
  order: string[];
  edges: ImageEdge[];
  errors: GraphError[];
}

/**
 * Orders the closure of `targets` (default: every final image). Images in a
 * cycle or with an unknown reference are reported and left out, together
 * with everything that needs them.
 */
export function buildImageGraph(images: readonly StapelImage[], targets?: readonly string[]): ImageGraph {
  const byName = new Map(images.map((image) => [image.name, image]));
  const errors: GraphError[] = [];
  const edges = images.flatMap(imageEdges);
  const outgoing = new Map<string, ImageEdge[]>();
  for (const edge of edges) {
    const list = outgoing.get(edge.image) ?? [];
    list.push(edge);
    outgoing.set(edge.image, list);
  }

  const roots: string[] = [];
  if (targets === undefined) {
    roots.push(...images.filter((i) => i.final).map((i) => i.name));
  } else {
    for (const name of targets) {
      if (byName.has(name)) roots.push(name);
      else {
        errors.push({
          image: name,
          path: 'images',
          message: `requested image '${name}' is not in the config (images: ${[...byName.keys()].join(', ') || 'none'})`,
        });
      }
    }
  }

  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done' | 'failed'>();
  const stack: string[] = [];

  const visit = (name: string): boolean => {
    const seen = state.get(name);
    if (seen === 'done') return true;
    if (seen === 'failed') return false;
    if (seen === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      const from = stack[stack.length - 1]!;
      const edge = (outgoing.get(from) ?? []).find((e) => e.needs === name)!;
      errors.push({
        image: from,
        path: edge.path,
        message: `image '${from}' ${EDGE_VERB[edge.kind]} '${name}', which closes a cycle: ${cycle.join(' -> ')}`,
      });
      return false;
    }
    state.set(name, 'visiting');
    stack.push(name);
    let ok = true;
    for (const edge of outgoing.get(name) ?? []) {
      if (!byName.has(edge.needs)) {
        errors.push({
          image: name,
          path: edge.path,
          message: `image '${name}' ${EDGE_VERB[edge.kind]} '${edge.needs}', which is not an image of this config`,
        });
        ok = false;
        continue;
      }
      if (!visit(edge.needs)) ok = false;
    }
    stack.pop();
    state.set(name, ok ? 'done' : 'failed');
    if (ok) order.push(name);
    return ok;
  };

  // Visit in config order, limited to the closure of the roots, so the
  // order reads like the file wherever dependencies allow.
  const closure = new Set<string>();
  const collect = (name: string) => {
    if (closure.has(name) || !byName.has(name)) return;
    closure.add(name);
    for (const edge of outgoing.get(name) ?? []) collect(edge.needs);
  };
  for (const root of roots) collect(root);
  for (const image of images) if (closure.has(image.name)) visit(image.name);
  return { order, edges: edges.filter((e) => state.get(e.image) === 'done'), errors };
}
