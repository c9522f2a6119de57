import type { z } from 'zod';
import type { Dependency, DependencyImport, DependencySlot, YamlPath } from '../model.js';
import { slotOf } from './build-import.js';
import { err, type PartContext, quote } from './parts-common.js';
import type { dependencySchema } from './schema.js';

// A `dependencies` entry (werf-stapel.md §2.7, rule 24), for Stapel and Dockerfile images.

export function buildDependency(
  ctx: PartContext,
  raw: z.output<typeof dependencySchema>,
  path: YamlPath,
  imageKind: 'stapel' | 'dockerfile',
): Dependency | undefined {
  let ok = true;
  if (raw.image === undefined || raw.image === '') {
    ok = false;
    err(ctx, path, 'dependency needs "image": the name of another image of this config', 'value', ['image']);
  }
  let slot: DependencySlot | undefined;
  if (imageKind === 'stapel') {
    slot = slotOf(ctx, raw, path, 'dependency');
    if (!slot) ok = false;
  } else {
    for (const k of ['before', 'after'] as const) {
      if (raw[k] !== undefined) {
        ok = false;
        err(
          ctx,
          [...path, k],
          `"${k}" is for Stapel images; a Dockerfile image gets dependencies as build args`,
          'key',
        );
      }
    }
  }
  const imports: DependencyImport[] = [];
  const seen = new Map<string, number>();
  (raw.imports ?? []).forEach((imp, i) => {
    const p = [...path, 'imports', i];
    if (imp.type === undefined) {
      ok = false;
      err(
        ctx,
        p,
        'dependency import needs "type": one of ImageName, ImageTag, ImageRepo, ImageID, ImageDigest',
        'value',
        ['type'],
      );
    }
    const [wanted, forbidden] =
      imageKind === 'stapel'
        ? (['targetEnv', 'targetBuildArg'] as const)
        : (['targetBuildArg', 'targetEnv'] as const);
    if (imp[forbidden] !== undefined) {
      ok = false;
      err(
        ctx,
        [...p, forbidden],
        `"${forbidden}" is not allowed for a ${imageKind === 'stapel' ? 'Stapel' : 'Dockerfile'} image; use "${wanted}"`,
        'key',
      );
    }
    const target = imp[wanted];
    if (target === undefined || target === '') {
      ok = false;
      err(
        ctx,
        p,
        `dependency import needs "${wanted}": the ${wanted === 'targetEnv' ? 'environment variable' : 'build argument'} to set`,
        'value',
        [wanted],
      );
    } else if (seen.has(target)) {
      ok = false;
      err(
        ctx,
        [...p, wanted],
        `"${wanted}" ${quote(target)} is already set by imports[${seen.get(target)}] of this dependency`,
      );
    } else {
      seen.set(target, i);
    }
    if (imp.type !== undefined) {
      imports.push(
        ctx.sourceMap.register(
          { type: imp.type, targetEnv: imp.targetEnv, targetBuildArg: imp.targetBuildArg },
          ctx.scope.doc,
          p,
        ),
      );
    }
  });
  if (!ok) return undefined;
  return ctx.sourceMap.register({ image: raw.image as string, slot, imports }, ctx.scope.doc, path);
}
