import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminClients } from '../cluster/helpers/kube.js';
import { createTestNamespace, deleteTestNamespace } from '../cluster/helpers/namespace.js';
import { readImage } from '../cluster/helpers/registry-files.js';
import {
  applyImageBuild,
  condition,
  getImageBuild,
  type ImageBuildObject,
  injectFaults,
  waitForBuild,
} from './support/imagebuild.js';
import { kubectl, useOperator } from './support/operator.js';

// The failures of the "second list" (werf-pitfalls.md, faults of Kubernetes
// build operators; k8s-build-anchors.md §7.6) on the real control plane, with
// the test kubelet's fault injection: each ends its ImageBuild Stalled with
// its own reason and a message that says what to fix, while the operator
// keeps running and a healthy build next to the broken ones becomes Ready.
// Every build is applied before the first test, so they fail side by side.

const env = useOperator();

const SECRET = 'registry-creds';
const OTHER_DIGEST = `sha256:${'d'.repeat(64)}`;

let shared: string;
let restricted: string;

const config = (name: string, from = inject('busyboxImage')) =>
  `project: failures\nconfigVersion: 1\n---\nimage: app\nfrom: ${from}\nshell:\n  install: [echo ${name}]\n`;

const repositories = new Map<string, string>();

function apply(
  namespace: string,
  name: string,
  extra: { from?: string; spec?: Record<string, unknown> } = {},
) {
  const repository = `${inject('registry')}/failures-${name}-${randomBytes(3).toString('hex')}`;
  repositories.set(name, repository);
  const spec = extra.spec ?? {};
  applyImageBuild(namespace, name, {
    config: config(name, extra.from),
    retries: 0,
    ...spec,
    registry: { repository, insecure: true, ...(spec.registry as object | undefined) },
  });
}

beforeAll(async () => {
  shared = await createTestNamespace('failures');
  restricted = await createTestNamespace('restricted');
  // Pod Security admission refuses a build pod (Kaniko runs as root) in this namespace.
  kubectl(['label', 'namespace', restricted, 'pod-security.kubernetes.io/enforce=restricted']);
  await injectFaults(shared, {
    evicted: { evict: 'true' },
    'node-rejected': { reject: 'OutOfcpu' },
    'push-lost': { 'drop-push': 'true' },
    'digest-differs': { 'report-digest': OTHER_DIGEST },
  });
  apply(restricted, 'admission-rejected');
  apply(shared, 'node-rejected');
  apply(shared, 'builder-missing', {
    spec: { builder: { image: `${inject('registry')}/no-such-builder:v1` } },
  });
  apply(shared, 'base-missing', { from: `${inject('registry')}/no-such-base:v1` });
  apply(shared, 'secret-missing', { spec: { registry: { secretRef: { name: SECRET } } } });
  apply(shared, 'evicted');
  apply(shared, 'push-lost');
  apply(shared, 'digest-differs');
  apply(shared, 'healthy');
  // Nothing listens on port 9 of the loopback: every registry request is refused.
  apply(shared, 'registry-down', { spec: { registry: { repository: '127.0.0.1:9/nowhere/app' } } });
});

afterAll(async () => {
  for (const ns of [shared, restricted]) if (ns) await deleteTestNamespace(ns);
});

const log = () => env.operator.process.logTail(20);

const stalled = (namespace: string, name: string) =>
  waitForBuild(namespace, name, (b) => condition(b, 'Stalled')?.status === 'True', 400_000, log);

/**
 * The one stage that carries `reason` (phase Failed, or Pending when its pod
 * never ran: the Job stays, so fixing the cause lets it go on), and the
 * build's Stalled message, which names that stage.
 */
function failure(ib: ImageBuildObject, reason: string, phase: 'Failed' | 'Pending' = 'Failed') {
  expect(condition(ib, 'Ready')).toMatchObject({ status: 'False', reason });
  expect(condition(ib, 'Stalled')).toMatchObject({ status: 'True', reason });
  expect(condition(ib, 'Reconciling')?.status).toBe('False');
  expect(ib.status?.observedGeneration).toBe(ib.metadata.generation);
  const flagged = (ib.status?.images ?? []).flatMap((i) =>
    i.stages.filter((s) => s.reason !== undefined).map((s) => ({ image: i.name, ...s })),
  );
  expect(flagged.map((s) => [s.phase, s.reason])).toEqual([[phase, reason]]);
  const stage = flagged[0]!;
  expect(condition(ib, 'Stalled')?.message).toBe(`${stage.image}/${stage.name}: ${stage.message}`);
  return { stage, message: stage.message ?? '' };
}

describe('second-list failures on the cluster', () => {
  it('a build pod that Pod Security admission refuses is PodRejected with the API server message', {
    timeout: 420_000,
  }, async () => {
    const ib = await stalled(restricted, 'admission-rejected');
    const { stage, message } = failure(ib, 'PodRejected', 'Pending');
    expect(message).toMatch(/violates PodSecurity "restricted:latest"/);
    expect(message).toContain(stage.job!);
    // No pod was ever made: the operator did not wait for one.
    const pods = await adminClients().core.listNamespacedPod({ namespace: restricted });
    expect(pods.items).toEqual([]);
  });

  it('a build pod the node refuses is PodRejected with the kubelet message, not BuildFailed', {
    timeout: 420_000,
  }, async () => {
    const { message } = failure(await stalled(shared, 'node-rejected'), 'PodRejected');
    expect(message).toContain("Pod was rejected: Node didn't have enough resource: cpu");
    expect(message).toContain('OutOfcpu');
  });

  it('a builder image that cannot be pulled is ImageNotFound naming the image and the container', {
    timeout: 420_000,
  }, async () => {
    const { message } = failure(await stalled(shared, 'builder-missing'), 'ImageNotFound', 'Pending');
    expect(message).toContain(
      `cannot pull image ${inject('registry')}/no-such-builder:v1 for container build`,
    );
  });

  it('a base image that is not in its registry is ImageNotFound naming it, before any Job', {
    timeout: 420_000,
  }, async () => {
    const { stage, message } = failure(await stalled(shared, 'base-missing'), 'ImageNotFound');
    expect(stage.name).toBe('from');
    expect(stage.job).toBeUndefined();
    expect(message).toBe(
      `base image ${inject('registry')}/no-such-base:v1 of image "app" (from:) is not in its registry: check its name and tag, or push it`,
    );
  });

  it('a missing registry Secret is SecretNotFound naming it; creating the Secret lets the build go on', {
    timeout: 420_000,
  }, async () => {
    const ib = await stalled(shared, 'secret-missing');
    expect(condition(ib, 'Ready')).toMatchObject({ status: 'False', reason: 'SecretNotFound' });
    expect(condition(ib, 'Stalled')).toMatchObject({
      reason: 'SecretNotFound',
      message: `Secret ${SECRET} (spec.registry.secretRef) not found`,
    });
    const registry = inject('registry');
    const dockerConfig = {
      auths: { [registry]: { auth: Buffer.from('builder:unused').toString('base64') } },
    };
    await adminClients().core.createNamespacedSecret({
      namespace: shared,
      body: {
        metadata: { name: SECRET },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': JSON.stringify(dockerConfig) },
      },
    });
    const ready = await waitForBuild(
      shared,
      'secret-missing',
      (b) => condition(b, 'Ready')?.status === 'True',
      400_000,
      log,
    );
    expect(condition(ready, 'Stalled')?.status).toBe('False');
    expect(ready.status?.imagesReady).toBe('1/1');
  });

  it('an evicted build pod is Evicted with the node message, not BuildFailed', {
    timeout: 420_000,
  }, async () => {
    const { message } = failure(await stalled(shared, 'evicted'), 'Evicted');
    expect(message).toContain('The node was low on resource: memory.');
  });

  it('a build that reports a digest the registry does not have is DigestMismatch naming both', {
    timeout: 420_000,
  }, async () => {
    const { stage, message } = failure(await stalled(shared, 'push-lost'), 'DigestMismatch');
    const tag = `${repositories.get('push-lost')}:${stage.digest}`;
    expect(message).toMatch(
      new RegExp(`^Job ${stage.job} reported sha256:[0-9a-f]{64} but the registry has no `),
    );
    expect(message.endsWith(tag)).toBe(true);
  });

  // The registry wins over the builder's word (werf-pitfalls.md, second list,
  // rule 5). Whether a stage ends Succeeded or DigestMismatch depends on
  // which the operator reads first: a stage that a later stage builds on is
  // looked up in the registry on every pass, so it is usually taken with the
  // served digest while its Job still runs (a concurrent build of the same
  // stage may rightly have overwritten the tag); the last stage is only
  // learned from its Job's report, which then disagrees with the registry.
  // Either way the reported digest never reaches status.
  it('a build that reports a digest other than the one the registry serves: status only ever carries the served one', {
    timeout: 420_000,
  }, async () => {
    const ib = await waitForBuild(
      shared,
      'digest-differs',
      (b) => condition(b, 'Stalled')?.status === 'True' || condition(b, 'Ready')?.status === 'True',
      400_000,
      log,
    );
    const repository = repositories.get('digest-differs')!;
    const stages = ib.status!.images![0]!.stages;
    const finished = stages.filter((st) => st.phase === 'Succeeded' || st.phase === 'Failed');
    // Every stage ran (the fault is on all of them) up to the last one, or to one that stopped the build.
    expect(finished.length).toBeGreaterThan(0);
    expect(finished.map((st) => st.name)).toEqual(stages.slice(0, finished.length).map((st) => st.name));
    for (const st of finished) {
      const tag = `${repository}:${st.digest}`;
      const served = (await readImage(tag)).digest;
      expect(served).not.toBe(OTHER_DIGEST);
      if (st.phase === 'Succeeded') {
        expect(st).toMatchObject({ imageDigest: served, image: `${repository}@${served}` });
      } else {
        expect(st).toMatchObject({
          reason: 'DigestMismatch',
          message: `Job ${st.job} reported ${OTHER_DIGEST} but the registry serves ${served} for ${tag}`,
        });
      }
    }
    expect(JSON.stringify(ib.status)).not.toContain(`@${OTHER_DIGEST}`);
    if (condition(ib, 'Stalled')?.status === 'True') failure(ib, 'DigestMismatch');
    else expect(ib.status?.imagesReady).toBe('1/1');
  });

  it('a registry that cannot be reached is Reconciling with RegistryUnavailable naming it, retried, not Stalled', {
    timeout: 420_000,
  }, async () => {
    const ib = await waitForBuild(
      shared,
      'registry-down',
      (b) => condition(b, 'Reconciling')?.reason === 'RegistryUnavailable',
      400_000,
      log,
    );
    expect(condition(ib, 'Reconciling')).toMatchObject({ status: 'True', reason: 'RegistryUnavailable' });
    expect(condition(ib, 'Reconciling')?.message).toMatch(
      /registry 127\.0\.0\.1:9, repository nowhere\/app.*\(retrying\)$/s,
    );
    expect(condition(ib, 'Ready')?.status).not.toBe('True');
    expect(condition(ib, 'Stalled')?.status).not.toBe('True');
  });

  it('meanwhile the operator kept running and the healthy build next to the failing ones is Ready', {
    timeout: 420_000,
  }, async () => {
    const ib = await waitForBuild(
      shared,
      'healthy',
      (b) => condition(b, 'Ready')?.status === 'True',
      400_000,
      log,
    );
    expect(ib.status?.imagesReady).toBe('1/1');
    const stages = (ib.status?.images ?? []).flatMap((i) => i.stages);
    expect(stages.every((s) => s.phase === 'Succeeded' && s.source === 'built')).toBe(true);
    const proc = env.operator.process.child;
    expect({ exitCode: proc.exitCode, signal: proc.signalCode }).toEqual({ exitCode: null, signal: null });
    const ready = await fetch(`http://127.0.0.1:${env.operator.httpPort}/readyz`);
    expect(ready.status).toBe(200);
    // Every failing build is still reported, none was dropped or turned into another reason.
    const reasons = await Promise.all(
      ['node-rejected', 'builder-missing', 'evicted', 'push-lost'].map(
        async (name) => condition(await getImageBuild(shared, name), 'Stalled')?.reason,
      ),
    );
    expect(reasons).toEqual(['PodRejected', 'ImageNotFound', 'Evicted', 'DigestMismatch']);
  });
});
