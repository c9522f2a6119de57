import type { Dependency, DockerfileImage, Secret } from '../model.js';
import { buildDependency } from './build-dependency.js';
import { buildImageSpec, buildSecret } from './build-directives.js';
import type { PartContext } from './parts-common.js';
import type { RawDockerfileImage } from './schema.js';

// A `dockerfile:` document -> model images (one per name). Checked as werf
// checks them; whether they can be built is the planner's call.

export function buildDockerfileImages(
  ctx: PartContext,
  raw: RawDockerfileImage,
  names: string[],
): DockerfileImage[] {
  if (raw.dockerfile === undefined || raw.dockerfile === '') {
    ctx.diagnostics.error(ctx.scope, ['dockerfile'], '"dockerfile" needs the path of the Dockerfile');
    return [];
  }
  const dependencies = (raw.dependencies ?? [])
    .map((d, i) => buildDependency(ctx, d, ['dependencies', i], 'dockerfile'))
    .filter((x): x is Dependency => x !== undefined);
  const secrets = (raw.secrets ?? [])
    .map((s, i) => buildSecret(ctx, s, ['secrets', i]))
    .filter((x): x is Secret => x !== undefined);
  const imageSpec = raw.imageSpec && buildImageSpec(ctx, raw.imageSpec, ['imageSpec']);
  return names.map((name) =>
    ctx.sourceMap.register(
      {
        kind: 'dockerfile' as const,
        name,
        docIndex: ctx.scope.doc.index,
        final: raw.final ?? true,
        dockerfile: raw.dockerfile as string,
        context: raw.context ?? '',
        contextAddFiles: raw.contextAddFiles ?? [],
        target: raw.target ?? '',
        args: raw.args ?? {},
        addHost: raw.addHost ?? [],
        network: raw.network ?? '',
        ssh: raw.ssh ?? '',
        staged: raw.staged ?? false,
        platform: raw.platform ?? [],
        dependencies,
        secrets,
        imageSpec,
        cacheVersion: raw.cacheVersion ?? '',
      },
      ctx.scope.doc,
      [],
    ),
  );
}
