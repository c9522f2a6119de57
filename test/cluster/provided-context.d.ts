// What test/cluster/global-setup.ts provides to every test of the `cluster`
// project: `inject('kubeconfig')` and so on.
import type {} from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin kubeconfig (static token in system:masters) of the test cluster. */
    kubeconfig: string;
    /** host:port of the loopback registry, plain HTTP. */
    registry: string;
    /** Name of the Node the test kubelet registered. */
    kubeletNode: string;
    /** The cluster's state folder (logs/, kubelet/pods/<ns>_<pod>_<uid>/logs/). */
    clusterStateDir: string;
    /** `<registry>/base/busybox:latest`, made from Debian's busybox-static. */
    busyboxImage: string;
  }
}
