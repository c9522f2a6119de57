import { stringify } from 'yaml';

/** A kubeconfig with one cluster, one bearer-token user and one context, as kubectl and client-node read it. */
export function renderKubeconfig(options: {
  server: string;
  caPem: string;
  user: string;
  token: string;
  namespace?: string;
}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'stapel-test',
        cluster: {
          server: options.server,
          'certificate-authority-data': Buffer.from(options.caPem).toString('base64'),
        },
      },
    ],
    users: [{ name: options.user, user: { token: options.token } }],
    contexts: [
      {
        name: 'stapel-test',
        context: { cluster: 'stapel-test', user: options.user, namespace: options.namespace ?? 'default' },
      },
    ],
    'current-context': 'stapel-test',
  });
}
