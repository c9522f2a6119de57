import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { Kubectl } from '../../scripts/demo/operator.js';
import { type BuildObject, outcomeOf } from '../../scripts/demo/view.js';

// ImageBuilds for benchmarks: apply with kubectl (as a user would), read
// back with the admin client.

export function imageBuildYaml(namespace: string, name: string, spec: Record<string, unknown>): string {
  return stringify({
    apiVersion: 'stapel.dev/v1alpha1',
    kind: 'ImageBuild',
    metadata: { name, namespace },
    spec,
  });
}

export async function applyAll(kubectl: Kubectl, documents: string[]): Promise<void> {
  await kubectl.run(['apply', '-f', '-'], documents.join('---\n'));
}

export async function listBuilds(admin: KubeConfig, namespace: string): Promise<BuildObject[]> {
  const api = admin.makeApiClient(CustomObjectsApi);
  const list = (await api.listNamespacedCustomObject({
    group: 'stapel.dev',
    version: 'v1alpha1',
    namespace,
    plural: 'imagebuilds',
  })) as { items: BuildObject[] };
  return list.items;
}

/** Polls until every named build is ready; throws on the first failure or after `timeoutMs`. */
export async function waitReady(
  admin: KubeConfig,
  namespace: string,
  names: string[],
  timeoutMs: number,
  intervalMs = 500,
): Promise<BuildObject[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const builds = (await listBuilds(admin, namespace)).filter((b) => names.includes(b.metadata.name));
    const outcomes = builds.map((b) => ({ name: b.metadata.name, outcome: outcomeOf(b) }));
    const failed = outcomes.find((o) => o.outcome.state === 'failed');
    if (failed && failed.outcome.state === 'failed') {
      throw new Error(`${failed.name} failed: ${failed.outcome.reason}: ${failed.outcome.message}`);
    }
    const ready = outcomes.filter((o) => o.outcome.state === 'ready').length;
    if (ready === names.length) return builds;
    if (Date.now() > deadline)
      throw new Error(`${ready}/${names.length} builds ready after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Creates `namespace` with the test kubelet's `prebuilt-image` fault for every
 * pod in it: build pods finish at once, "pushing" `image`, so what a benchmark
 * measures is the operator, not the builds.
 */
export async function prebuiltNamespace(kubectl: Kubectl, namespace: string, image: string): Promise<void> {
  await kubectl.run(['create', 'namespace', namespace]);
  await kubectl.run(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'test-kubelet-faults', namespace },
      data: { all: JSON.stringify({ faults: { 'prebuilt-image': image } }) },
    }),
  );
}
