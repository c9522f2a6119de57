import { describe, expect, it } from 'vitest';
import { buildStageJob } from '../../../src/reconciler/resources/job.js';
import { imageBuild, prepareSpec } from './fixtures.js';

const settings = {
  operatorImage: 'example.com/stapel-operator:1',
  defaultBuilderImage: 'example.com/kaniko:1',
};
const digest = 'd0f2b7c1e9a84c3b5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d';
const stage = {
  image: 'site',
  stage: 'install',
  digest,
  prepareSpec: prepareSpec('site', 'install', digest),
};

describe('buildStageJob', () => {
  it('is deterministic, owned by the ImageBuild and named from it and the stage digest', () => {
    const a = buildStageJob(imageBuild(), stage, settings);
    const b = buildStageJob(imageBuild(), stage, settings);
    expect(a).toEqual(b);
    expect(a.metadata?.name).toMatch(/^shop-d0f2b7c1e9a8-[0-9a-f]{6}$/);
    expect(a.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'stapel.dev/v1alpha1',
        kind: 'ImageBuild',
        name: 'shop',
        uid: 'uid-1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(a.spec?.template.metadata?.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'stapel-operator',
      'stapel.dev/imagebuild': 'shop',
      'stapel.dev/stage': 'install',
    });
  });

  it('keeps names within 63 characters for long ImageBuild names', () => {
    const long = imageBuild();
    long.metadata.name = 'x'.repeat(200);
    expect(buildStageJob(long, stage, settings).metadata?.name?.length).toBeLessThanOrEqual(63);
  });

  it('gets a new name when a builder setting changes (Job templates are immutable)', () => {
    const a = buildStageJob(imageBuild(), stage, settings);
    const b = buildStageJob(imageBuild({ builder: { image: 'example.com/kaniko:2' } }), stage, settings);
    expect(b.metadata?.name).not.toBe(a.metadata?.name);
    expect(b.metadata?.name?.slice(0, 18)).toBe(a.metadata?.name?.slice(0, 18));
  });

  it('runs prepare from the operator image and Kaniko with the stage destination and digest file', () => {
    const job = buildStageJob(imageBuild({ retries: 2, timeout: '1h30m' }), stage, settings);
    const pod = job.spec!.template.spec!;
    const prepare = pod.initContainers![0]!;
    expect(prepare.image).toBe(settings.operatorImage);
    expect(prepare.args).toEqual([
      'prepare',
      '--spec-env',
      'STAPEL_PREPARE_SPEC',
      '--workspace',
      '/workspace',
    ]);
    expect(JSON.parse(prepare.env!.find((e) => e.name === 'STAPEL_PREPARE_SPEC')!.value!)).toEqual(
      stage.prepareSpec,
    );
    const build = pod.containers[0]!;
    expect(build.image).toBe(settings.defaultBuilderImage);
    expect(build.args).toEqual([
      '--context=dir:///workspace',
      '--dockerfile=/workspace/Dockerfile',
      `--destination=registry.example.com/shop:${digest}`,
      '--digest-file=/dev/termination-log',
    ]);
    expect(job.spec?.backoffLimit).toBe(2);
    expect(job.spec?.activeDeadlineSeconds).toBe(5400);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('reaches an insecure registry over plain HTTP for push and base pulls', () => {
    const job = buildStageJob(
      imageBuild({ registry: { repository: '127.0.0.1:5000/shop', insecure: true } }),
      stage,
      settings,
    );
    expect(job.spec!.template.spec!.containers[0]!.args).toEqual(
      expect.arrayContaining(['--insecure', '--insecure-pull']),
    );
  });

  it('mounts the registry Secret only into prepare and build', () => {
    const job = buildStageJob(
      imageBuild({
        registry: { repository: 'r.example.com/shop', insecure: false, secretRef: { name: 'regcred' } },
      }),
      stage,
      settings,
    );
    const pod = job.spec!.template.spec!;
    const volume = pod.volumes!.find((v) => v.secret)!;
    expect(volume.secret).toMatchObject({
      secretName: 'regcred',
      items: [{ key: '.dockerconfigjson', path: 'config.json' }],
    });
    const mounts = [...pod.initContainers!, ...pod.containers].map((c) =>
      c.volumeMounts!.filter((m) => m.name === volume.name).map((m) => `${c.name}:${m.mountPath}`),
    );
    expect(mounts.flat()).toEqual(['prepare:/var/run/stapel/registry-auth', 'build:/kaniko/.docker']);
  });

  it('copies builder scheduling, resources and security context', () => {
    const job = buildStageJob(
      imageBuild({
        builder: {
          nodeSelector: { pool: 'builds' },
          tolerations: [{ key: 'builds', operator: 'Exists', effect: 'NoSchedule' }],
          serviceAccountName: 'builder',
          resources: { limits: { memory: '4Gi' } },
          securityContext: { runAsUser: 0 },
        },
        jobTTL: '24h',
      }),
      stage,
      settings,
    );
    const pod = job.spec!.template.spec!;
    expect(pod.nodeSelector).toEqual({ pool: 'builds' });
    expect(pod.tolerations).toEqual([{ key: 'builds', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.serviceAccountName).toBe('builder');
    expect(pod.containers[0]!.resources).toEqual({ limits: { memory: '4Gi' } });
    expect(pod.containers[0]!.securityContext).toEqual({ runAsUser: 0 });
    expect(job.spec?.ttlSecondsAfterFinished).toBe(86400);
  });
});
