import { describe, expect, it } from 'vitest';
import { adminClients, clientsFor, kubeConfigWithToken, statusOf } from './helpers/kube.js';
import { testNamespace } from './helpers/namespace.js';

describe('RBAC with ServiceAccount tokens', () => {
  it('a token of a ServiceAccount with a narrow Role may do what the Role allows and nothing else', async () => {
    const namespace = await testNamespace('rbac');
    const other = await testNamespace('rbac-other');
    const { core, rbac } = adminClients();
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'narrow' } } });
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: 'read-configmaps' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'narrow-reads-configmaps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
        subjects: [{ kind: 'ServiceAccount', name: 'narrow', namespace }],
      },
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'visible' }, data: { a: '1' } },
    });
    const token = await core.createNamespacedServiceAccountToken({
      namespace,
      name: 'narrow',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const narrow = clientsFor(kubeConfigWithToken(token.status!.token, namespace)).core;

    const allowed = await narrow.readNamespacedConfigMap({ name: 'visible', namespace });
    expect(allowed.data).toEqual({ a: '1' });
    const refusals = await Promise.all([
      narrow.listNamespacedSecret({ namespace }).then(
        () => 'allowed',
        (e) => statusOf(e),
      ),
      narrow.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'new' } } }).then(
        () => 'allowed',
        (e) => statusOf(e),
      ),
      narrow.listNamespacedConfigMap({ namespace: other }).then(
        () => 'allowed',
        (e) => statusOf(e),
      ),
    ]);
    expect(refusals).toEqual([403, 403, 403]);
  });

  it('a made-up token is not authenticated', async () => {
    const core = clientsFor(kubeConfigWithToken('not-a-real-token')).core;
    const status = await core.listNamespace().then(
      () => 'allowed',
      (e) => statusOf(e),
    );
    expect(status).toBe(401);
  });
});
