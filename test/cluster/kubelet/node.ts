import { type CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { apiTime } from './pod-status.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The labels of the test Node; pods whose nodeSelector asks for others stay unscheduled. */
export function nodeLabels(name: string): Record<string, string> {
  return {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'stapel.dev/test-kubelet': 'true',
  };
}

/** Creates (or reuses) the Node object and reports it Ready with room for many pods. */
export async function registerNode(core: CoreV1Api, name: string): Promise<void> {
  try {
    await core.createNode({
      body: {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          labels: nodeLabels(name),
        },
      },
    });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
  const now = apiTime();
  const resources = { cpu: '2', memory: '24Gi', pods: '250', 'ephemeral-storage': '100Gi' };
  await core.patchNodeStatus(
    {
      name,
      body: {
        status: {
          capacity: resources,
          allocatable: resources,
          addresses: [
            { type: 'InternalIP', address: '127.0.0.1' },
            { type: 'Hostname', address: name },
          ],
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'test kubelet is posting ready status',
              lastHeartbeatTime: now,
              lastTransitionTime: now,
            },
          ],
          nodeInfo: {
            architecture: 'amd64',
            operatingSystem: 'linux',
            kubeletVersion: 'v1.36.3',
            kubeProxyVersion: '',
            containerRuntimeVersion: 'stapel-test-kubelet://1',
            osImage: 'Debian',
            kernelVersion: '',
            machineID: '',
            systemUUID: '',
            bootID: '',
          },
        },
      },
    },
    mergePatch,
  );
}
