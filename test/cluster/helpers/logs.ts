import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { inject } from 'vitest';

/**
 * What a container printed (stdout and stderr), from the test kubelet's pod
 * folder; `run` is the restart count (0 for the first run). There is no
 * kubelet API for `kubectl logs`, so tests read the files while the pod exists.
 */
export function containerLog(pod: V1Pod, container: string, run = 0): string {
  const meta = pod.metadata!;
  const dir = join(
    inject('clusterStateDir'),
    'kubelet',
    'pods',
    `${meta.namespace}_${meta.name}_${meta.uid}`,
    'logs',
  );
  const file = join(dir, `${container}-${run}.log`);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    const present = (() => {
      try {
        return readdirSync(dir).join(', ');
      } catch {
        return 'no log folder';
      }
    })();
    throw new Error(
      `no log for container ${container} (run ${run}) of pod ${meta.namespace}/${meta.name}: ${present}`,
    );
  }
}
