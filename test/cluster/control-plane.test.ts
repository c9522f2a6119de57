import { execFileSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { adminClients } from './helpers/kube.js';

describe('test control plane', () => {
  it('answers client-node with the admin kubeconfig (TLS with the generated CA)', async () => {
    const { core } = adminClients();
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(
      expect.arrayContaining(['default', 'kube-system', 'kube-public']),
    );
  });

  it('answers kubectl with the same kubeconfig', () => {
    const out = execFileSync('kubectl', ['--kubeconfig', inject('kubeconfig'), 'get', 'ns', '-o', 'name'], {
      encoding: 'utf8',
    });
    expect(out.split('\n')).toContain('namespace/kube-system');
  });

  it('has the test kubelet Node registered and Ready', async () => {
    const { core } = adminClients();
    const node = await core.readNode({ name: inject('kubeletNode') });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('serves the busybox base image from the loopback registry', async () => {
    const res = await fetch(`http://${inject('registry')}/v2/base/busybox/tags/list`);
    expect(await res.json()).toEqual({ name: 'base/busybox', tags: ['latest'] });
  });
});
