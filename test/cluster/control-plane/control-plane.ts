import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpGet } from '../lib/http-probe.js';
import { freePorts } from '../lib/ports.js';
import { type ManagedProcess, startProcess } from '../lib/processes.js';
import { StopWaiting, waitFor } from '../lib/wait.js';
import { renderKubeconfig } from './kubeconfig.js';
import { generatePki, type Pki } from './pki.js';

/**
 * The kube-controller-manager controllers the operator and its tests rely on.
 * Left out on purpose: node-lifecycle and taint-eviction (no kubelet heartbeats)
 * and pod-garbage-collector (it would delete pods of the test kubelet's node).
 */
export const CONTROLLERS = [
  'job-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  // fills the aggregated ClusterRoles (view, edit, admin) from their labelled parts
  'clusterrole-aggregation-controller',
  'ttl-after-finished-controller',
  'deployment-controller',
  'replicaset-controller',
];

export interface ControlPlane {
  apiServerUrl: string;
  adminKubeconfig: string;
  pki: Pki;
  processes: ManagedProcess[];
  stop(): Promise<void>;
}

/** Starts etcd, kube-apiserver and kube-controller-manager on loopback; resolves once all are healthy. */
export async function startControlPlane(options: {
  binDir: string;
  stateDir: string;
  log?: (line: string) => void;
  startTimeoutMs?: number;
}): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const timeoutMs = options.startTimeoutMs ?? 90_000;
  const dir = options.stateDir;
  mkdirSync(join(dir, 'pki'), { recursive: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const processes: ManagedProcess[] = [];
  const stop = async () => {
    for (const p of [...processes].reverse()) await p.stop();
  };
  try {
    log('generating certificates and tokens');
    const pki = await generatePki(join(dir, 'pki'));
    const ca = readFileSync(pki.caCert, 'utf8');
    const [etcdPort, etcdPeerPort, apiPort, kcmPort] = (await freePorts(4)) as [
      number,
      number,
      number,
      number,
    ];

    log(`starting etcd on 127.0.0.1:${etcdPort}`);
    const etcd = startProcess(
      'etcd',
      join(options.binDir, 'etcd'),
      [
        '--name=test',
        `--data-dir=${join(dir, 'etcd-data')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster=test=http://127.0.0.1:${etcdPeerPort}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      { logFile: join(dir, 'logs', 'etcd.log') },
    );
    processes.push(etcd);
    await waitHealthy(etcd, `http://127.0.0.1:${etcdPort}/health`, {}, timeoutMs, (b) =>
      b.includes('"true"'),
    );

    const apiServerUrl = `https://127.0.0.1:${apiPort}`;
    log(`starting kube-apiserver on ${apiServerUrl}`);
    const apiserver = startProcess(
      'kube-apiserver',
      join(options.binDir, 'kube-apiserver'),
      [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        // Without an advertise address the apiserver looks for a default route,
        // which sandboxes may lack; loopback needs the endpoint reconciler off.
        '--advertise-address=127.0.0.1',
        '--endpoint-reconciler-type=none',
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.apiserverCert}`,
        `--tls-private-key-file=${pki.apiserverKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--token-auth-file=${pki.tokensFile}`,
        '--authorization-mode=RBAC',
        '--service-cluster-ip-range=10.0.0.0/24',
        `--service-account-issuer=${apiServerUrl}`,
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        '--allow-privileged=true',
        '--profiling=false',
      ],
      { logFile: join(dir, 'logs', 'kube-apiserver.log') },
    );
    processes.push(apiserver);
    await waitHealthy(
      apiserver,
      `${apiServerUrl}/readyz`,
      { ca, token: pki.adminToken },
      timeoutMs,
      (b) => b === 'ok',
    );

    const adminKubeconfig = join(dir, 'admin.kubeconfig');
    writeFileSync(
      adminKubeconfig,
      renderKubeconfig({ server: apiServerUrl, caPem: ca, user: 'admin', token: pki.adminToken }),
      { mode: 0o600 },
    );
    const kcmKubeconfig = join(dir, 'kcm.kubeconfig');
    writeFileSync(
      kcmKubeconfig,
      renderKubeconfig({
        server: apiServerUrl,
        caPem: ca,
        user: 'kube-controller-manager',
        token: pki.controllerManagerToken,
      }),
      { mode: 0o600 },
    );

    log(`starting kube-controller-manager on 127.0.0.1:${kcmPort}`);
    const kcm = startProcess(
      'kube-controller-manager',
      join(options.binDir, 'kube-controller-manager'),
      [
        `--kubeconfig=${kcmKubeconfig}`,
        `--authentication-kubeconfig=${kcmKubeconfig}`,
        `--authorization-kubeconfig=${kcmKubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${kcmPort}`,
        `--cert-dir=${join(dir, 'kcm-certs')}`,
        '--leader-elect=false',
        '--use-service-account-credentials=false',
        `--controllers=${CONTROLLERS.join(',')}`,
        `--service-account-private-key-file=${pki.saKey}`,
        `--root-ca-file=${pki.caCert}`,
      ],
      { logFile: join(dir, 'logs', 'kube-controller-manager.log') },
    );
    processes.push(kcm);
    await waitHealthy(
      kcm,
      `https://127.0.0.1:${kcmPort}/healthz`,
      { insecure: true },
      timeoutMs,
      (b) => b === 'ok',
    );
    return { apiServerUrl, adminKubeconfig, pki, processes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitHealthy(
  process: ManagedProcess,
  url: string,
  auth: { ca?: string; token?: string; insecure?: boolean },
  timeoutMs: number,
  isOk: (body: string) => boolean,
): Promise<void> {
  let exited: number | string | undefined;
  void process.exited.then((code) => {
    exited = code;
  });
  let last = '';
  await waitFor(
    async () => {
      if (exited !== undefined) {
        throw new StopWaiting(
          `${process.name} exited (${exited}) before it was healthy:\n${process.logTail()}`,
        );
      }
      const res = await httpGet(url, auth).catch((err: Error) => ({ status: 0, body: err.message }));
      last = `HTTP ${res.status}: ${res.body.slice(0, 500)}`;
      return res.status === 200 && isOk(res.body.trim());
    },
    {
      description: `${process.name} to answer ${url}`,
      timeoutMs,
      lastState: () => `${last}\n--- ${process.logFile} ---\n${process.logTail()}`,
    },
  );
}
