import type { V1Job } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { jobPods, waitForJobCondition } from './helpers/jobs.js';
import { adminClients } from './helpers/kube.js';
import { containerLog } from './helpers/logs.js';
import { testNamespace } from './helpers/namespace.js';
import { readImage } from './helpers/registry-files.js';

const KANIKO = 'gcr.io/kaniko-project/executor:v1.23.2';

/**
 * A build Job shaped like the operator's: an init container writes the build
 * context (Dockerfile and files) into an emptyDir, the Kaniko container builds
 * it and writes the pushed digest to its termination message.
 */
function buildJob(name: string, context: Record<string, string>, kanikoArgs: string[]): V1Job {
  const script = Object.keys(context)
    .map((file) => `printf '%s' "$${envName(file)}" > /workspace/${file}`)
    .join(' && ');
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          volumes: [{ name: 'workspace', emptyDir: {} }],
          initContainers: [
            {
              name: 'prepare',
              image: inject('busyboxImage'),
              command: ['sh', '-c', script],
              env: Object.entries(context).map(([file, text]) => ({ name: envName(file), value: text })),
              volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }],
            },
          ],
          containers: [
            {
              name: 'build',
              image: KANIKO,
              args: ['--context=dir:///workspace', '--dockerfile=/workspace/Dockerfile', ...kanikoArgs],
              volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }],
            },
          ],
        },
      },
    },
  };
}

function envName(file: string): string {
  return `FILE_${file.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

async function buildAndReadDigest(namespace: string, job: V1Job): Promise<string> {
  await adminClients().batch.createNamespacedJob({ namespace, body: job });
  await waitForJobCondition(namespace, job.metadata!.name!, 'Complete', 150_000);
  const [pod] = await jobPods(namespace, job.metadata!.name!);
  const message = pod?.status?.containerStatuses?.find((c) => c.name === 'build')?.state?.terminated?.message;
  expect(message).toMatch(/^sha256:[0-9a-f]{64}$/);
  return message!;
}

describe('Kaniko-style build pods (buildah behind the test kubelet)', () => {
  it('builds two stages, the second copying a prepared file with --chown, and pushes them', async () => {
    const namespace = await testNamespace('kaniko');
    const registry = inject('registry');
    const repo = `${registry}/${namespace}/app`;
    const common = ['--insecure', '--insecure-pull', '--cache=true', `--cache-repo=${repo}/cache`];

    const stage1 = await buildAndReadDigest(
      namespace,
      buildJob(
        'stage1',
        {
          Dockerfile: [
            `FROM ${inject('busyboxImage')}`,
            'ARG GREETING',
            'RUN mkdir -p /app && echo "$GREETING from stage 1" > /app/stage1.txt && chown 1000:1000 /app/stage1.txt && chmod 640 /app/stage1.txt',
            '',
          ].join('\n'),
        },
        [
          ...common,
          `--destination=${repo}:stage1`,
          '--build-arg=GREETING=hello',
          '--digest-file=/dev/termination-log',
        ],
      ),
    );

    const stage2 = await buildAndReadDigest(
      namespace,
      buildJob(
        'stage2',
        {
          Dockerfile: [
            `FROM ${repo}:stage1`,
            'COPY --chown=1000:1000 payload.txt /app/payload.txt',
            'RUN cat /app/stage1.txt /app/payload.txt > /app/both.txt',
            '',
          ].join('\n'),
          'payload.txt': 'prepared by the init container\n',
        },
        [
          ...common,
          `--destination=${repo}:stage2`,
          `--destination=${repo}:latest`,
          '--label=stapel.dev/stage=2',
          '--digest-file=/dev/termination-log',
        ],
      ),
    );

    const image = await readImage(`${repo}:stage2`);
    expect(image.digest).toBe(stage2);
    expect((await readImage(`${repo}:latest`)).digest).toBe(stage2);
    expect((await readImage(`${repo}:stage1`)).digest).toBe(stage1);
    expect(image.config.config?.Labels?.['stapel.dev/stage']).toBe('2');

    const payload = image.files.get('app/payload.txt');
    expect(payload).toMatchObject({ type: 'file', uid: 1000, gid: 1000 });
    expect(payload?.content?.toString()).toBe('prepared by the init container\n');
    const fromStage1 = image.files.get('app/stage1.txt');
    expect(fromStage1).toMatchObject({ type: 'file', uid: 1000, gid: 1000, mode: 0o640 });
    expect(fromStage1?.content?.toString()).toBe('hello from stage 1\n');
    expect(image.files.get('app/both.txt')?.content?.toString()).toBe(
      'hello from stage 1\nprepared by the init container\n',
    );
    expect(image.files.get('bin/busybox')).toMatchObject({ type: 'file', mode: 0o755, uid: 0 });
  });

  it('slows a build down when asked to (fault injection), and the build still succeeds', async () => {
    const namespace = await testNamespace('kaniko-slow');
    const repo = `${inject('registry')}/${namespace}/app`;
    const job = buildJob('slow', { Dockerfile: `FROM ${inject('busyboxImage')}\nRUN true\n` }, [
      '--insecure',
      '--insecure-pull',
      `--destination=${repo}:slow`,
    ]);
    job.spec!.template.metadata = { annotations: { 'test-kubelet.stapel.dev/build-delay-seconds': '1' } };
    await adminClients().batch.createNamespacedJob({ namespace, body: job });
    await waitForJobCondition(namespace, 'slow', 'Complete');
    const [pod] = await jobPods(namespace, 'slow');
    expect(containerLog(pod!, 'build')).toContain('waiting 1s before building');
  });

  it('fails the build pod loudly on a Kaniko flag it cannot reproduce', async () => {
    const namespace = await testNamespace('kaniko-flag');
    const repo = `${inject('registry')}/${namespace}/app`;
    await adminClients().batch.createNamespacedJob({
      namespace,
      body: buildJob('bad-flag', { Dockerfile: `FROM ${inject('busyboxImage')}\n` }, [
        `--destination=${repo}:x`,
        '--oci-layout-path=/tmp/layout',
      ]),
    });
    await waitForJobCondition(namespace, 'bad-flag', 'Failed');
    const [pod] = await jobPods(namespace, 'bad-flag');
    const terminated = pod?.status?.containerStatuses?.[0]?.state?.terminated;
    expect(terminated?.exitCode).toBe(1);
    expect(containerLog(pod!, 'build')).toContain('unsupported flag --oci-layout-path');
  });
});
