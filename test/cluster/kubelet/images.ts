/**
 * How the test kubelet runs a container, decided by its image name alone
 * (see README in this folder):
 * - `operator`: any image whose name contains `stapel-operator` runs the
 *   project's CLI from the checkout;
 * - `kaniko`: any image whose name contains `kaniko` runs the Kaniko flags
 *   through `buildah bud` and pushes to the loopback registry;
 * - `registry`: an image on a loopback registry (127.0.0.1:* or localhost:*)
 *   is pulled with buildah and run chrooted in its root filesystem;
 * - `unpullable`: anything else fails like a node that cannot pull it.
 */
export type Runtime = 'operator' | 'kaniko' | 'registry' | 'unpullable';

export function runtimeForImage(image: string): Runtime {
  const name = image.toLowerCase();
  if (name.includes('stapel-operator')) return 'operator';
  if (name.includes('kaniko')) return 'kaniko';
  if (/^(127\.0\.0\.1|localhost):\d+\//.test(name)) return 'registry';
  return 'unpullable';
}
