import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorizationV1Api, type V1Container, type V1Pod } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { adminClients, statusOf } from './helpers/kube.js';
import { containerLog } from './helpers/logs.js';
import { testNamespace } from './helpers/namespace.js';
import { runPod } from './helpers/pods.js';
import { waitFor } from './lib/wait.js';

const sh = (name: string, script: string, extra: Partial<V1Container> = {}): V1Container => ({
  name,
  image: inject('busyboxImage'),
  command: ['sh', '-c', script],
  ...extra,
});

function pod(
  name: string,
  containers: V1Container[],
  extra: Partial<V1Pod['spec']> = {},
  annotations = {},
): V1Pod {
  return {
    metadata: { name, annotations },
    spec: { restartPolicy: 'Never', containers, ...extra } as V1Pod['spec'],
  };
}

const terminated = (p: V1Pod, name: string) =>
  [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].find(
    (c) => c.name === name,
  )?.state?.terminated;

describe('test kubelet', () => {
  it('runs init containers in order, then containers, with volumes, env and termination messages', async () => {
    const namespace = await testNamespace('kubelet');
    const { core } = adminClients();
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'cfg' }, data: { 'greeting.txt': 'hi' } },
    });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'sec' }, stringData: { token: 's3cret' } },
    });
    const mounts = [
      { name: 'work', mountPath: '/work' },
      { name: 'cfg', mountPath: '/etc/cfg', readOnly: true },
      { name: 'sec', mountPath: '/etc/sec', readOnly: true },
    ];
    const done = await runPod(
      namespace,
      pod(
        'ordered',
        [
          sh(
            'main',
            'cat /work/order; echo "cfg=$(cat /etc/cfg/greeting.txt) sec=$(cat /etc/sec/token) env=$FROM_CM/$FROM_FIELD host=$(hostname)" > /tmp/msg; ' +
              'touch /etc/cfg/x 2>/dev/null && echo writable || echo read-only >> /tmp/msg; cat /tmp/msg > /work/message',
            {
              volumeMounts: [...mounts, { name: 'work', mountPath: '/tmp', subPath: 'tmp' }],
              terminationMessagePath: '/work/message',
              env: [
                { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting.txt' } } },
                { name: 'FROM_FIELD', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ],
            },
          ),
        ],
        {
          volumes: [
            { name: 'work', emptyDir: {} },
            { name: 'cfg', configMap: { name: 'cfg' } },
            { name: 'sec', secret: { secretName: 'sec', defaultMode: 0o400 } },
          ],
          initContainers: [
            sh('first', 'echo first >> /work/order', { volumeMounts: mounts }),
            sh('second', 'echo second >> /work/order; stat -c %a /etc/sec/token >> /work/order', {
              volumeMounts: mounts,
            }),
          ],
        },
      ),
    );
    expect(done.status?.phase).toBe('Succeeded');
    expect(terminated(done, 'first')).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(terminated(done, 'main')?.message).toBe(
      `cfg=hi sec=s3cret env=hi/${namespace} host=ordered\nread-only\n`,
    );
    expect(containerLog(done, 'main')).toBe('first\nsecond\n400\n');
    const conditions = Object.fromEntries((done.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conditions).toMatchObject({ PodScheduled: 'True', Initialized: 'True', Ready: 'False' });
    expect(done.status?.startTime).toBeDefined();
  });

  it('restarts a failed container under restartPolicy OnFailure and keeps its last state', async () => {
    const namespace = await testNamespace('restart');
    const done = await runPod(
      namespace,
      pod(
        'flaky',
        [
          sh('main', '[ -f /data/ran ] && exit 0; touch /data/ran; exit 5', {
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          }),
        ],
        {
          restartPolicy: 'OnFailure',
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      ),
    );
    const status = done.status?.containerStatuses?.[0];
    expect(done.status?.phase).toBe('Succeeded');
    expect(status?.restartCount).toBe(1);
    expect(status?.lastState?.terminated?.exitCode).toBe(5);
    expect(status?.state?.terminated?.exitCode).toBe(0);
  });

  it('mounts a projected ServiceAccount token that the API server accepts', async () => {
    const namespace = await testNamespace('satoken');
    const { rbac } = adminClients();
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'default-view' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'ServiceAccount', name: 'default', namespace }],
      },
    });
    // RBAC reads bindings through an informer: wait until the binding is in effect.
    const authz = adminClients().kc.makeApiClient(AuthorizationV1Api);
    await waitFor(
      async () => {
        const review = await authz.createSubjectAccessReview({
          body: {
            spec: {
              user: `system:serviceaccount:${namespace}:default`,
              resourceAttributes: { namespace, verb: 'list', resource: 'pods' },
            },
          },
        });
        return review.status?.allowed;
      },
      { description: 'the RoleBinding to take effect', timeoutMs: 30_000 },
    );
    // The pod itself calls the API with its token (busybox has no TLS client, so the kubelet's
    // operator runtime is used: it runs the checkout's node on the host, in the pod's mount namespace).
    const done = await runPod(
      namespace,
      pod('caller', [
        {
          name: 'main',
          image: 'stapel-operator:test',
          command: [
            process.execPath,
            '-e',
            `const fs=require('fs');const d='/var/run/secrets/kubernetes.io/serviceaccount/';` +
              `const https=require('https');https.get({host:process.env.KUBERNETES_SERVICE_HOST,port:process.env.KUBERNETES_SERVICE_PORT,` +
              `path:'/api/v1/namespaces/'+fs.readFileSync(d+'namespace','utf8')+'/pods',ca:fs.readFileSync(d+'ca.crt'),` +
              `headers:{authorization:'Bearer '+fs.readFileSync(d+'token','utf8')}},r=>{fs.writeFileSync('/dev/termination-log',String(r.statusCode));r.resume()})`,
          ],
        },
      ]),
    );
    expect(terminated(done, 'main')).toMatchObject({ exitCode: 0, message: '200' });
  });

  it('runs the operator image as the checkout CLI', async () => {
    const namespace = await testNamespace('cli');
    const done = await runPod(
      namespace,
      pod('cli', [{ name: 'main', image: 'registry.example/stapel-operator:v1', args: ['--help'] }]),
    );
    expect(terminated(done, 'main')?.exitCode).toBe(0);
    expect(containerLog(done, 'main')).toContain('Usage: stapel-operator <command>');
  });

  it('fails like a node that cannot pull an unknown image', async () => {
    const namespace = await testNamespace('pull');
    const stuck = await runPod(
      namespace,
      pod('unpullable', [{ name: 'main', image: 'docker.io/library/alpine:3' }]),
      (p) =>
        ['ErrImagePull', 'ImagePullBackOff'].includes(
          p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? '',
        ),
    );
    expect(stuck.status?.phase).toBe('Pending');
    expect(stuck.status?.containerStatuses?.[0]?.state?.waiting?.message).toContain(
      'docker.io/library/alpine:3',
    );
  });

  it('stops a deleted pod with SIGTERM and removes it', async () => {
    const namespace = await testNamespace('delete');
    const dir = mkdtempSync(join(tmpdir(), 'kubelet-term-'));
    try {
      await runPod(
        namespace,
        pod(
          'graceful',
          [
            sh(
              'main',
              "trap 'echo got TERM > /host/term; exit 0' TERM; touch /host/started; while true; do sleep 0.2; done",
              {
                volumeMounts: [{ name: 'host', mountPath: '/host' }],
              },
            ),
          ],
          { volumes: [{ name: 'host', hostPath: { path: dir } }], terminationGracePeriodSeconds: 20 },
        ),
        (p) => p.status?.phase === 'Running' && existsSync(join(dir, 'started')),
      );
      const { core } = adminClients();
      await core.deleteNamespacedPod({ name: 'graceful', namespace });
      await waitFor(
        () =>
          core.readNamespacedPod({ name: 'graceful', namespace }).then(
            () => false,
            (e) => statusOf(e) === 404,
          ),
        { description: 'the deleted pod to disappear', timeoutMs: 30_000 },
      );
      expect(readFileSync(join(dir, 'term'), 'utf8')).toBe('got TERM\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves a pod whose nodeSelector the node does not match unscheduled', async () => {
    const namespace = await testNamespace('selector');
    const unschedulable = await runPod(
      namespace,
      pod('elsewhere', [sh('main', 'exit 0')], { nodeSelector: { 'kubernetes.io/arch': 'arm64' } }),
      (p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ?? false,
    );
    expect(unschedulable.spec?.nodeName).toBeUndefined();
    expect(unschedulable.status?.conditions?.[0]).toMatchObject({ reason: 'Unschedulable' });
    const fits = await runPod(
      namespace,
      pod('here', [sh('main', 'exit 0')], { nodeSelector: { 'kubernetes.io/os': 'linux' } }),
    );
    expect(fits.status?.phase).toBe('Succeeded');
  });

  it('keeps the pods of a Deployment running and Ready, so the Deployment becomes Available', async () => {
    const namespace = await testNamespace('deploy');
    const { apps } = adminClients();
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [sh('main', 'sleep 3600')] },
          },
        },
      },
    });
    await waitFor(
      async () => {
        const d = await apps.readNamespacedDeployment({ name: 'web', namespace });
        return d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
      },
      { description: 'Deployment web to be Available', timeoutMs: 60_000 },
    );
  });
});

describe('test kubelet failure injection', () => {
  it('reports a chosen exit code without running the container', async () => {
    const namespace = await testNamespace('fault-exit');
    const done = await runPod(
      namespace,
      pod(
        'exit',
        [sh('main', 'exit 0'), sh('side', 'exit 0')],
        {},
        { 'test-kubelet.stapel.dev/exit-code': 'main=7' },
      ),
    );
    expect(done.status?.phase).toBe('Failed');
    expect(terminated(done, 'main')).toMatchObject({ exitCode: 7, reason: 'Error' });
    expect(terminated(done, 'side')).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  it('kills a container as OOMKilled', async () => {
    const namespace = await testNamespace('fault-oom');
    const done = await runPod(
      namespace,
      pod('oom', [sh('main', 'sleep 30')], {}, { 'test-kubelet.stapel.dev/oom-kill': 'main' }),
    );
    expect(done.status?.phase).toBe('Failed');
    expect(terminated(done, 'main')).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });

  it('evicts a pod', async () => {
    const namespace = await testNamespace('fault-evict');
    const done = await runPod(
      namespace,
      pod('evicted', [sh('main', 'sleep 30')], {}, { 'test-kubelet.stapel.dev/evict': 'true' }),
    );
    expect(done.status).toMatchObject({ phase: 'Failed', reason: 'Evicted' });
    expect(done.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.status).toBe('True');
  });

  it('rejects a pod as a kubelet whose admission refuses it: Failed at once, no container runs', async () => {
    const namespace = await testNamespace('fault-reject');
    const done = await runPod(
      namespace,
      pod('rejected', [sh('main', 'exit 0')], {}, { 'test-kubelet.stapel.dev/reject': 'OutOfcpu' }),
    );
    expect(done.status).toMatchObject({
      phase: 'Failed',
      reason: 'OutOfcpu',
      message: "Pod was rejected: Node didn't have enough resource: cpu (test kubelet fault injection)",
    });
    expect(done.status?.containerStatuses?.[0]?.state?.terminated).toBeUndefined();
  });

  it('applies faults from the test-kubelet-faults ConfigMap to matching pods only', async () => {
    const namespace = await testNamespace('fault-cm');
    const { core } = adminClients();
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: { name: 'test-kubelet-faults' },
        data: { builds: JSON.stringify({ podLabels: { role: 'build' }, faults: { 'exit-code': '9' } }) },
      },
    });
    const build = pod('build', [sh('main', 'exit 0')]);
    build.metadata!.labels = { role: 'build' };
    const other = pod('other', [sh('main', 'exit 0')]);
    const [b, o] = await Promise.all([runPod(namespace, build), runPod(namespace, other)]);
    expect(terminated(b, 'main')?.exitCode).toBe(9);
    expect(terminated(o, 'main')?.exitCode).toBe(0);
  });

  it('delays the start of a pod', async () => {
    const namespace = await testNamespace('fault-delay');
    const done = await runPod(
      namespace,
      pod('late', [sh('main', 'exit 0')], {}, { 'test-kubelet.stapel.dev/start-delay-seconds': '2' }),
    );
    const created = new Date(done.metadata!.creationTimestamp!).getTime();
    const started = new Date(terminated(done, 'main')!.startedAt!).getTime();
    // A lower bound the kubelet must honour (times have second precision).
    expect(started - created).toBeGreaterThanOrEqual(1000);
  });
});
