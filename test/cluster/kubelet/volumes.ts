import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type {
  CoreV1Api,
  V1DownwardAPIVolumeFile,
  V1KeyToPath,
  V1Pod,
  V1Volume,
} from '@kubernetes/client-node';
import { fieldValue } from './env.js';

/** A volume made ready on the host: the folder (or file) to bind-mount into containers. */
export interface PreparedVolume {
  name: string;
  hostPath: string;
}

/** Thrown while a volume's source (a ConfigMap, a Secret) is missing: the pod waits, as with a real kubelet. */
export class VolumeNotReady extends Error {}

/**
 * Materializes the pod's volumes under `podDir/volumes/`: emptyDir as a
 * private folder, configMap/secret/downwardAPI/projected as files written
 * once at start (no refresh), hostPath as is. Other kinds fail loudly.
 */
export async function prepareVolumes(core: CoreV1Api, pod: V1Pod, podDir: string): Promise<PreparedVolume[]> {
  const prepared: PreparedVolume[] = [];
  for (const volume of pod.spec?.volumes ?? []) {
    const dir = join(podDir, 'volumes', volume.name);
    if (volume.hostPath) {
      prepared.push({ name: volume.name, hostPath: volume.hostPath.path });
      continue;
    }
    mkdirSync(dir, { recursive: true });
    if (volume.emptyDir) chmodSync(dir, 0o777);
    else await writeVolumeFiles(core, pod, volume, dir);
    prepared.push({ name: volume.name, hostPath: dir });
  }
  return prepared;
}

async function writeVolumeFiles(core: CoreV1Api, pod: V1Pod, volume: V1Volume, dir: string): Promise<void> {
  const namespace = pod.metadata!.namespace!;
  if (volume.configMap) {
    const data = await configMapData(core, namespace, volume.configMap.name!, volume.configMap.optional);
    writeKeys(dir, data, volume.configMap.items, volume.configMap.defaultMode ?? 0o644);
  } else if (volume.secret) {
    const data = await secretData(core, namespace, volume.secret.secretName!, volume.secret.optional);
    writeKeys(dir, data, volume.secret.items, volume.secret.defaultMode ?? 0o644);
  } else if (volume.downwardAPI) {
    writeDownward(dir, pod, volume.downwardAPI.items ?? [], volume.downwardAPI.defaultMode ?? 0o644);
  } else if (volume.projected) {
    const mode = volume.projected.defaultMode ?? 0o644;
    for (const source of volume.projected.sources ?? []) {
      if (source.configMap) {
        const data = await configMapData(core, namespace, source.configMap.name!, source.configMap.optional);
        writeKeys(dir, data, source.configMap.items, mode);
      } else if (source.secret) {
        const data = await secretData(core, namespace, source.secret.name!, source.secret.optional);
        writeKeys(dir, data, source.secret.items, mode);
      } else if (source.downwardAPI) {
        writeDownward(dir, pod, source.downwardAPI.items ?? [], mode);
      } else if (source.serviceAccountToken) {
        const token = await core.createNamespacedServiceAccountToken({
          namespace,
          name: pod.spec?.serviceAccountName || 'default',
          body: {
            spec: {
              audiences: source.serviceAccountToken.audience ? [source.serviceAccountToken.audience] : [],
              expirationSeconds: source.serviceAccountToken.expirationSeconds ?? 3600,
              boundObjectRef: {
                apiVersion: 'v1',
                kind: 'Pod',
                name: pod.metadata!.name!,
                uid: pod.metadata!.uid!,
              },
            },
          },
        });
        writeFile(dir, source.serviceAccountToken.path, Buffer.from(token.status!.token), mode);
      } else {
        throw new Error(
          `volume ${volume.name}: unsupported projected source ${Object.keys(source).join(', ')}`,
        );
      }
    }
  } else {
    const kind = Object.keys(volume).filter((k) => k !== 'name');
    throw new Error(`volume ${volume.name}: the test kubelet does not support ${kind.join(', ')} volumes`);
  }
}

/** The keys of a ConfigMap or Secret; a missing one keeps the pod waiting unless the volume is optional. */
async function sourceData(
  what: string,
  optional: boolean | undefined,
  read: () => Promise<[string, Buffer][]>,
): Promise<Map<string, Buffer>> {
  try {
    return new Map(await read());
  } catch (err) {
    if (!isNotFound(err)) throw err;
    if (!optional) throw new VolumeNotReady(`${what} not found`);
    return new Map();
  }
}

const configMapData = (core: CoreV1Api, namespace: string, name: string, optional: boolean | undefined) =>
  sourceData(`configmap "${name}"`, optional, async () => {
    const cm = await core.readNamespacedConfigMap({ name, namespace });
    return [
      ...Object.entries(cm.data ?? {}).map(([k, v]): [string, Buffer] => [k, Buffer.from(v)]),
      ...Object.entries(cm.binaryData ?? {}).map(([k, v]): [string, Buffer] => [k, Buffer.from(v, 'base64')]),
    ];
  });

const secretData = (core: CoreV1Api, namespace: string, name: string, optional: boolean | undefined) =>
  sourceData(`secret "${name}"`, optional, async () => {
    const secret = await core.readNamespacedSecret({ name, namespace });
    return Object.entries(secret.data ?? {}).map(([k, v]): [string, Buffer] => [k, Buffer.from(v, 'base64')]);
  });

export function isNotFound(err: unknown): boolean {
  return (err as { code?: number }).code === 404;
}

function writeKeys(
  dir: string,
  data: Map<string, Buffer>,
  items: V1KeyToPath[] | undefined,
  mode: number,
): void {
  if (!items) {
    for (const [key, value] of data) writeFile(dir, key, value, mode);
    return;
  }
  for (const item of items) {
    const value = data.get(item.key);
    if (value === undefined) throw new VolumeNotReady(`key "${item.key}" not found`);
    writeFile(dir, item.path, value, item.mode ?? mode);
  }
}

function writeDownward(dir: string, pod: V1Pod, items: V1DownwardAPIVolumeFile[], mode: number): void {
  for (const item of items) {
    if (!item.fieldRef) throw new Error(`downwardAPI ${item.path}: only fieldRef is supported`);
    writeFile(dir, item.path, Buffer.from(fieldValue(pod, item.fieldRef.fieldPath)), item.mode ?? mode);
  }
}

function writeFile(dir: string, path: string, value: Buffer, mode: number): void {
  if (path.split('/').includes('..')) throw new Error(`volume file path '${path}' must not contain '..'`);
  const file = join(dir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, value);
  chmodSync(file, mode);
}
