import { parseAllDocuments, stringify } from 'yaml';

// The examples are written for a user's cluster (their registry, their base
// image). The demo applies them unchanged except for what only it knows:
// the namespace, the loopback registry, and the values of the `spec.env`
// keys an example declares for local things (BASE_IMAGE, GIT_URL).

export interface DemoSettings {
  namespace: string;
  /** The demo registry's host:port; each example gets `<host>/demo/<example>`. */
  registry: string;
  /** Values for spec.env keys; only keys an ImageBuild already declares are replaced. */
  env: Record<string, string>;
}

interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: {
    registry?: { repository?: string; insecure?: boolean; secretRef?: unknown };
    env?: Record<string, string>;
  };
}

/**
 * Rewrites the manifests of one example (`kubectl kustomize` output) for the
 * demo cluster. Throws, naming the example and document, on anything that
 * is not a list of Kubernetes objects.
 */
export function adaptManifests(example: string, text: string, settings: DemoSettings): string {
  const out: string[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    if (doc.errors.length > 0) {
      throw new Error(`example ${example}, document ${index + 1}: ${doc.errors[0]!.message}`);
    }
    const manifest = doc.toJS() as Manifest | null;
    if (manifest === null) return;
    if (typeof manifest !== 'object' || !manifest.kind || !manifest.metadata?.name) {
      throw new Error(
        `example ${example}, document ${index + 1}: not a Kubernetes object (kind, metadata.name)`,
      );
    }
    manifest.metadata.namespace = settings.namespace;
    if (manifest.kind === 'ImageBuild') {
      const spec = manifest.spec ?? {};
      manifest.spec = spec;
      // The loopback registry speaks plain HTTP and needs no credentials.
      spec.registry = { repository: `${settings.registry}/demo/${example}`, insecure: true };
      for (const key of Object.keys(spec.env ?? {})) {
        const value = settings.env[key];
        if (value !== undefined) spec.env![key] = value;
      }
    }
    out.push(stringify(manifest));
  });
  if (!out.some((m) => m.includes('kind: ImageBuild'))) {
    throw new Error(`example ${example}: its kustomization has no ImageBuild`);
  }
  return out.join('---\n');
}
