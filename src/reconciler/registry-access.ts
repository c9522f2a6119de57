import type { ImageBuild } from '../api/imagebuild.js';
import { importChecksumFromRegistry } from '../registry/imports.js';
import { CredentialStore, RegistryClient } from '../registry/index.js';
import type { RegistryFacts } from './facts.js';
import type { RegistryAccess } from './reconcile.js';
import { registryHost } from './resources/job.js';

// The registry as the reconciler sees it: one client per ImageBuild pass,
// with that build's credentials and its insecure (plain HTTP) setting.

export const registryAccess: RegistryAccess = {
  forBuild(build: ImageBuild, dockerConfigJson: string | undefined): RegistryFacts {
    const { registry } = build.spec;
    const client = new RegistryClient({
      credentials: dockerConfigJson
        ? CredentialStore.fromJson(dockerConfigJson, `Secret ${registry.secretRef?.name}`)
        : CredentialStore.empty(),
      insecureRegistries: registry.insecure ? [registryHost(registry.repository)] : [],
    });
    return {
      manifestDigest: (ref) => client.manifestDigest(ref),
      imageConfigDigest: (ref) => client.imageConfigDigest(ref),
      importChecksum: (sourceRef, selector) =>
        importChecksumFromRegistry(client, sourceRef, {
          add: selector.add,
          includePaths: [...selector.includePaths],
          excludePaths: [...selector.excludePaths],
        }),
      async tag(source, target) {
        const manifest = await client.getManifest(source);
        if (!manifest) throw new Error(`cannot tag ${target}: ${source} not found`);
        if ((await client.manifestDigest(target)) === manifest.digest) return;
        await client.putManifest(target, manifest.bytes, manifest.mediaType);
      },
    };
  },
};
