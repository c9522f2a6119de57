import { randomBytes } from 'node:crypto';
import { onTestFinished } from 'vitest';
import { waitFor } from '../lib/wait.js';
import { adminClients } from './kube.js';

export const TEST_NAMESPACE_LABEL = 'stapel.dev/test';

/**
 * Creates a namespace for the current test (`<prefix>-<random>`), waits for
 * its `default` ServiceAccount (pods need it: ServiceAccount admission is on)
 * and deletes it when the test finishes (set STAPEL_KEEP_NAMESPACES=1 to keep it
 * for inspection).
 */
export async function testNamespace(prefix = 't'): Promise<string> {
  const name = await createTestNamespace(prefix);
  onTestFinished(() => deleteTestNamespace(name));
  return name;
}

/** A namespace as testNamespace makes it, for a whole file (beforeAll); delete it with deleteTestNamespace. */
export async function createTestNamespace(prefix = 't'): Promise<string> {
  const { core } = adminClients();
  const name = `${prefix}-${randomBytes(3).toString('hex')}`.toLowerCase().slice(0, 63);
  await core.createNamespace({ body: { metadata: { name, labels: { [TEST_NAMESPACE_LABEL]: 'true' } } } });
  await waitFor(
    async () => {
      await core.readNamespacedServiceAccount({ name: 'default', namespace: name });
      return true;
    },
    { description: `the default ServiceAccount of namespace ${name}`, timeoutMs: 30_000 },
  );
  return name;
}

export async function deleteTestNamespace(name: string): Promise<void> {
  if (process.env.STAPEL_KEEP_NAMESPACES) return;
  await adminClients()
    .core.deleteNamespace({ name })
    .catch(() => {});
}
