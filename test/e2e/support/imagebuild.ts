import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { ImageBuildStatus } from '../../../src/api/imagebuild.js';
import { adminClients, adminKubeConfig } from '../../cluster/helpers/kube.js';
import { FAULTS_CONFIGMAP } from '../../cluster/kubelet/faults.js';
import { waitFor } from '../../cluster/lib/wait.js';
import { kubectl, REPO_ROOT } from './operator.js';

export const SEED_CONFIG = readFileSync(join(REPO_ROOT, 'examples/seed/werf.yaml'), 'utf8');

export interface ImageBuildObject {
  metadata: { name: string; namespace: string; generation: number; uid: string };
  spec: Record<string, unknown>;
  status?: ImageBuildStatus;
}

/** `kubectl apply` of an ImageBuild, as a user would. */
export function applyImageBuild(namespace: string, name: string, spec: Record<string, unknown>): void {
  const doc = { apiVersion: 'stapel.dev/v1alpha1', kind: 'ImageBuild', metadata: { name, namespace }, spec };
  kubectl(['apply', '-f', '-'], stringify(doc));
}

export async function getImageBuild(namespace: string, name: string): Promise<ImageBuildObject> {
  const api = adminKubeConfig().makeApiClient(k8s.CustomObjectsApi);
  return (await api.getNamespacedCustomObject({
    group: 'stapel.dev',
    version: 'v1alpha1',
    namespace,
    plural: 'imagebuilds',
    name,
  })) as ImageBuildObject;
}

/** `kubectl wait --for=condition=<c> imagebuild/<name>`; throws with kubectl's output on timeout. */
export function kubectlWait(
  namespace: string,
  name: string,
  condition: string,
  timeoutSeconds: number,
): string {
  return kubectl([
    'wait',
    '-n',
    namespace,
    `--for=condition=${condition}`,
    `--timeout=${timeoutSeconds}s`,
    `imagebuild/${name}`,
  ]);
}

export function condition(ib: ImageBuildObject, type: string) {
  return ib.status?.conditions?.find((c) => c.type === type);
}

export function describeBuild(ib: ImageBuildObject | undefined): string {
  if (!ib) return '(no ImageBuild)';
  const conds = (ib.status?.conditions ?? []).map((c) => `${c.type}=${c.status}(${c.reason}: ${c.message})`);
  const stages = (ib.status?.images ?? []).flatMap((i) =>
    i.stages.map(
      (s) =>
        `${i.name}/${s.name}:${s.phase}${s.reason ? `(${s.reason}: ${s.message})` : s.message ? `(${s.message})` : ''}`,
    ),
  );
  return `${conds.join(' ')}\n${stages.join('\n')}`;
}

/**
 * Polls the ImageBuild until `done` holds; on timeout the error shows its
 * conditions and stages and the end of `log` (the operator's).
 */
export async function waitForBuild(
  namespace: string,
  name: string,
  done: (ib: ImageBuildObject) => boolean,
  timeoutMs: number,
  log: () => string,
): Promise<ImageBuildObject> {
  let last: ImageBuildObject | undefined;
  return waitFor(
    async () => {
      last = await getImageBuild(namespace, name);
      return done(last) ? last : undefined;
    },
    {
      description: `ImageBuild ${namespace}/${name}`,
      timeoutMs,
      intervalMs: 500,
      lastState: () => `${describeBuild(last)}\n--- operator log ---\n${log()}`,
    },
  );
}

/**
 * The test kubelet's faults (test/cluster/kubelet/faults.ts) for the build
 * pods of each named ImageBuild in `namespace`: { build: { fault: value } }.
 */
export async function injectFaults(
  namespace: string,
  byBuild: Record<string, Record<string, string>>,
): Promise<void> {
  const data = Object.fromEntries(
    Object.entries(byBuild).map(([build, faults]) => [
      build,
      JSON.stringify({ podLabels: { 'stapel.dev/imagebuild': build }, faults }),
    ]),
  );
  await adminClients().core.createNamespacedConfigMap({
    namespace,
    body: { metadata: { name: FAULTS_CONFIGMAP }, data },
  });
}
