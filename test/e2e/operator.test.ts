import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { adminClients } from '../cluster/helpers/kube.js';
import { testNamespace } from '../cluster/helpers/namespace.js';
import { readImage } from '../cluster/helpers/registry-files.js';
import { waitFor } from '../cluster/lib/wait.js';
import {
  applyImageBuild,
  condition,
  describeBuild,
  getImageBuild,
  type ImageBuildObject,
  injectFaults,
  kubectlWait,
  SEED_CONFIG,
  waitForBuild as waitForImageBuild,
} from './support/imagebuild.js';
import { kubectl, useOperator } from './support/operator.js';

// The operator end to end, against the real control plane, registry and test
// kubelet, running with exactly deploy/'s ServiceAccount and RBAC.

const env = useOperator();

const repository = () => `${inject('registry')}/e2e-${randomBytes(4).toString('hex')}`;

function seedSpec(repo: string, extra: Record<string, unknown> = {}) {
  return {
    config: SEED_CONFIG,
    env: { BASE_IMAGE: inject('busyboxImage') },
    registry: { repository: repo, insecure: true },
    retries: 0,
    ...extra,
  };
}

const waitForBuild = (
  namespace: string,
  name: string,
  done: (ib: ImageBuildObject) => boolean,
  timeoutMs: number,
) => waitForImageBuild(namespace, name, done, timeoutMs, () => env.operator.process.logTail(15));

/** Applies a one-image config with no retries and waits until it is Stalled. */
async function stalledBuild(namespace: string, name: string, config: string): Promise<ImageBuildObject> {
  applyImageBuild(namespace, name, {
    config,
    registry: { repository: repository(), insecure: true },
    retries: 0,
  });
  return waitForBuild(namespace, name, (b) => condition(b, 'Stalled')?.status === 'True', 360_000);
}

/**
 * An ImageBuild whose "tools" image every such build shares (same stages in the same
 * repository); its install stage takes a while, so builds meet each other's Jobs running.
 */
function sharedStageSpec(repo: string, own: string) {
  const config = [
    'project: shared',
    'configVersion: 1',
    '---',
    'image: tools',
    `from: ${inject('busyboxImage')}`,
    'shell:',
    '  install: [sleep 6, echo tools > /tools.txt]',
    '---',
    `image: ${own}`,
    'from: tools',
    'shell:',
    `  setup: [echo ${own} > /own.txt]`,
    '',
  ].join('\n');
  return { config, registry: { repository: repo, insecure: true }, retries: 0 };
}

/** Ready=True for the current generation. */
const ready = (ib: ImageBuildObject) =>
  ib.status?.observedGeneration === ib.metadata.generation && condition(ib, 'Ready')?.status === 'True';

const toolsStages = (ib: ImageBuildObject) =>
  (ib.status?.images ?? []).find((i) => i.name === 'tools')?.stages ?? [];

async function ownedJobs(namespace: string): Promise<k8s.V1Job[]> {
  const { batch } = adminClients();
  return (
    await batch.listNamespacedJob({
      namespace,
      labelSelector: 'app.kubernetes.io/managed-by=stapel-operator',
    })
  ).items;
}

describe('the seed example', () => {
  const repo = repository();
  let namespace: string;
  /** The first build's stages (its namespace is deleted when that test ends). */
  let firstImages: NonNullable<ImageBuildObject['status']>['images'] = [];

  it('reaches Ready=True with every stage digest and image digest; the final image has the expected files and owners', {
    timeout: 900000,
  }, async () => {
    namespace = await testNamespace('seed');
    applyImageBuild(namespace, 'shop', seedSpec(repo));
    // What a user (or CI) runs: kubectl wait honours observedGeneration.
    try {
      kubectlWait(namespace, 'shop', 'Ready', 840);
    } catch (err) {
      const ib = await getImageBuild(namespace, 'shop');
      throw new Error(`${(err as Error).message}\n${describeBuild(ib)}\n${env.operator.process.logTail(30)}`);
    }
    const ib = await getImageBuild(namespace, 'shop');
    expect(ib.status?.observedGeneration).toBe(ib.metadata.generation);
    expect(condition(ib, 'Ready')).toMatchObject({
      status: 'True',
      observedGeneration: ib.metadata.generation,
    });
    expect(condition(ib, 'Stalled')?.status).toBe('False');
    expect(condition(ib, 'Reconciling')?.status).toBe('False');
    expect(condition(ib, 'ConfigValid')?.status).toBe('True');
    expect(ib.status?.imagesReady).toBe('2/2');
    const images = ib.status?.images ?? [];
    firstImages = images;
    expect(images.map((i) => i.name).sort()).toEqual(['application-assets', 'frontend', 'site']);
    for (const image of images) {
      for (const stage of image.stages) {
        expect(stage.phase, `${image.name}/${stage.name}`).toBe('Succeeded');
        expect(stage.digest, `${image.name}/${stage.name}`).toMatch(/^[0-9a-f]{16,}$/);
        expect(stage.imageDigest, `${image.name}/${stage.name}`).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(stage.image).toBe(`${repo}@${stage.imageDigest}`);
      }
    }
    // A fresh repository: every stage was built, one Job per stage digest
    // (the three `from` stages of the same base share one).
    const stages = images.flatMap((i) => i.stages);
    expect(stages.every((s) => s.source === 'built')).toBe(true);
    const jobs = await ownedJobs(namespace);
    const jobNames = jobs.map((j) => j.metadata?.name).sort();
    expect([...new Set(stages.map((s) => s.job))].sort()).toEqual(jobNames);
    expect(jobs.length).toBe(new Set(stages.map((s) => s.digest)).size);

    // The image digest in status is the one the registry serves for the stage tag.
    const site = images.find((i) => i.name === 'site')!;
    const last = site.stages[site.stages.length - 1]!;
    const pulled = await readImage(`${repo}:${last.digest}`);
    expect(pulled.digest).toBe(last.imageDigest);
    expect(site.ref).toBe(`${repo}@${last.imageDigest}`);

    const files = pulled.files;
    const file = (p: string) => files.get(p.replace(/^\//, ''));
    // application-assets imported after install, without source maps, owned www:www (1001:1001).
    expect(file('/var/www/site/assets/css/site.css')).toMatchObject({ type: 'file', uid: 1001, gid: 1001 });
    expect(file('/var/www/site/assets/js/site.js')).toMatchObject({ uid: 1001, gid: 1001 });
    expect(file('/var/www/site/assets/js/site.js.map')).toBeUndefined();
    expect(file('/var/www/site/assets')).toMatchObject({ type: 'directory', uid: 1001, gid: 1001 });
    // frontend imported after setup: only img/ and *.txt, owner 1001, group www.
    expect(file('/var/www/site/static/img/logo.svg')).toMatchObject({ type: 'file', uid: 1001, gid: 1001 });
    expect(file('/var/www/site/static/build.txt')?.content?.toString()).toBe('frontend build 1\n');
    expect(file('/var/www/site/static/fonts/body.woff2')).toBeUndefined();
    expect(file('/var/www/site/static/README.md')).toBeUndefined();
  });

  it('applied again under a new name, it creates no Job: every stage comes from the cache', {
    timeout: 120000,
  }, async () => {
    const ns = await testNamespace('again');
    applyImageBuild(ns, 'shop-again', seedSpec(repo, { tags: ['%image%-again'] }));
    const ib = await waitForBuild(ns, 'shop-again', (b) => condition(b, 'Ready')?.status === 'True', 60_000);
    const stages = (ib.status?.images ?? []).flatMap((i) => i.stages);
    expect(stages.length).toBeGreaterThan(0);
    expect(stages.every((s) => s.source === 'cache')).toBe(true);
    expect(await ownedJobs(ns)).toEqual([]);
    // spec.tags: each final image is tagged in the repository.
    const site = (ib.status?.images ?? []).find((i) => i.name === 'site')!;
    expect(site.tags).toEqual(['site-again']);
    expect(`${repo}@${(await readImage(`${repo}:site-again`)).digest}`).toBe(site.ref);
  });

  it('a fresh operator process, knowing nothing yet, also serves it from the registry (the demo second run)', {
    timeout: 180000,
  }, async () => {
    await env.restart('operator-fresh', 'stop');
    const ns = await testNamespace('fresh');
    applyImageBuild(ns, 'shop-fresh', seedSpec(repo));
    const ib = await waitForBuild(ns, 'shop-fresh', (b) => condition(b, 'Ready')?.status === 'True', 120_000);
    const notCached = (ib.status?.images ?? [])
      .flatMap((i) => i.stages.map((s) => ({ id: `${i.name}/${s.name}`, source: s.source })))
      .filter((s) => s.source !== 'cache');
    expect(notCached).toEqual([]);
    expect(await ownedJobs(ns)).toEqual([]);
  });
  it('changing one imported file rebuilds the stage that makes it, the importing stage and those after it; nothing else', {
    timeout: 900000,
  }, async () => {
    const before = firstImages ?? [];
    const changed = SEED_CONFIG.replace('body { color: #333; }', 'body { color: #c00; }');
    expect(changed).not.toBe(SEED_CONFIG);
    const ns = await testNamespace('change');
    applyImageBuild(ns, 'shop-v2', { ...seedSpec(repo), config: changed });
    const ib = await waitForBuild(ns, 'shop-v2', (b) => condition(b, 'Ready')?.status === 'True', 840_000);
    const source = new Map<string, string | undefined>();
    for (const i of ib.status?.images ?? [])
      for (const s of i.stages) source.set(`${i.name}/${s.name}`, s.source);
    const rebuilt = [...source].filter(([, src]) => src === 'built').map(([k]) => k);
    const siteStages = before.find((i) => i.name === 'site')!.stages.map((s) => s.name);
    const fromImport = siteStages
      .slice(siteStages.indexOf('dependenciesAfterInstall'))
      .map((s) => `site/${s}`);
    expect(rebuilt.sort()).toEqual(['application-assets/install', ...fromImport].sort());
    const pulled = await readImage((ib.status?.images ?? []).find((i) => i.name === 'site')!.ref!);
    expect(pulled.files.get('var/www/site/assets/css/site.css')?.content?.toString()).toBe(
      'body { color: #c00; }\n',
    );
  });
});

describe('restarts and failures', () => {
  it('killed in the middle of a build and started again, it finishes with no duplicate Job', {
    timeout: 900000,
  }, async () => {
    const ns = await testNamespace('restart');
    // Slow every build down so the operator dies while stages run.
    await injectFaults(ns, { shop: { 'build-delay-seconds': '4' } });
    applyImageBuild(ns, 'shop', seedSpec(repository()));
    await waitFor(async () => (await ownedJobs(ns)).length > 0, {
      description: 'the first stage Jobs',
      timeoutMs: 60_000,
    });
    await env.restart('operator-restarted');
    const ib = await waitForBuild(ns, 'shop', (b) => condition(b, 'Ready')?.status === 'True', 840_000);
    const jobs = await ownedJobs(ns);
    const digests = jobs.map((j) => j.metadata?.annotations?.['stapel.dev/stage-digest']);
    expect(new Set(digests).size).toBe(jobs.length);
    const built = (ib.status?.images ?? []).flatMap((i) => i.stages).filter((s) => s.source === 'built');
    expect([...new Set(built.map((s) => s.job))].sort()).toEqual(jobs.map((j) => j.metadata?.name).sort());
  });

  it('an invalid config is Stalled with ConfigInvalid naming the line, and kubectl wait sees it', async () => {
    const ns = await testNamespace('invalid');
    const config =
      'project: shop\nconfigVersion: 1\n---\nimage: x\nfrom: busybox\nshel:\n  install: [echo]\n';
    applyImageBuild(ns, 'bad', { config, registry: { repository: repository(), insecure: true } });
    kubectlWait(ns, 'bad', 'Stalled', 60);
    const ib = await getImageBuild(ns, 'bad');
    expect(condition(ib, 'Ready')).toMatchObject({ status: 'False', reason: 'ConfigInvalid' });
    expect(condition(ib, 'ConfigValid')).toMatchObject({ status: 'False', reason: 'ConfigInvalid' });
    expect(condition(ib, 'Stalled')?.message).toMatch(
      /^werf\.yaml:6:1: document 2 \(image "x"\): shel: unknown field/,
    );
    expect(ib.status?.observedGeneration).toBe(ib.metadata.generation);
  });

  it('a failing build command is BuildFailed with the last lines of the step, Ready=False and Stalled=True', {
    timeout: 400000,
  }, async () => {
    const ns = await testNamespace('fail');
    const config = [
      'project: shop',
      'configVersion: 1',
      '---',
      'image: broken',
      `from: ${inject('busyboxImage')}`,
      'shell:',
      '  install:',
      '  - echo "about to fail"',
      '  - exit 3',
      '',
    ].join('\n');
    const ib = await stalledBuild(ns, 'broken', config);
    expect(condition(ib, 'Ready')).toMatchObject({ status: 'False', reason: 'BuildFailed' });
    const failed = (ib.status?.images ?? []).flatMap((i) => i.stages).find((s) => s.phase === 'Failed');
    expect(failed).toMatchObject({ name: 'install', reason: 'BuildFailed' });
    // The executor exits 1; the message names the command's own status and shows its output once.
    expect(failed?.message).toMatch(/^build exited with code 1 \(its command exited with status 3\):\n/);
    expect(failed?.message).toContain('about to fail');
    expect(failed?.message?.match(/subprocess exited with status 3/g)).toHaveLength(1);
  });

  it('an OOMKilled build pod is reported as OOMKilled, not as a generic failure', {
    timeout: 400000,
  }, async () => {
    const ns = await testNamespace('oom');
    await injectFaults(ns, { oom: { 'oom-kill': 'build' } });
    const config = `project: shop\nconfigVersion: 1\n---\nimage: big\nfrom: ${inject('busyboxImage')}\nshell:\n  install: [echo big]\n`;
    const ib = await stalledBuild(ns, 'oom', config);
    expect(condition(ib, 'Ready')).toMatchObject({ status: 'False', reason: 'OOMKilled' });
  });

  it('a stage another ImageBuild is building is waited for, not built twice', {
    timeout: 400000,
  }, async () => {
    const ns = await testNamespace('shared');
    const repo = repository();
    const spec = (own: string) => sharedStageSpec(repo, own);
    applyImageBuild(ns, 'first', spec('one'));
    const running = await waitForBuild(
      ns,
      'first',
      (ib) => toolsStages(ib).some((s) => s.name === 'install' && s.phase === 'Running'),
      120_000,
    );
    const installJob = toolsStages(running).find((s) => s.name === 'install')!.job!;
    applyImageBuild(ns, 'second', spec('two'));
    const [first, second] = await Promise.all([
      waitForBuild(ns, 'first', ready, 300_000),
      waitForBuild(ns, 'second', ready, 300_000),
    ]);
    const jobs = await ownedJobs(ns);
    const annotations = jobs.find((j) => j.metadata?.name === installJob)?.metadata?.annotations;
    expect(annotations?.['stapel.dev/repository']).toBe(repo);
    // One Job per tools stage digest across both builds, all of them the first build's.
    expect(toolsStages(second).map((s) => s.name)).toEqual(toolsStages(first).map((s) => s.name));
    for (const stage of toolsStages(second)) {
      const forDigest = jobs.filter(
        (j) => j.metadata?.annotations?.['stapel.dev/stage-digest'] === stage.digest,
      );
      expect(forDigest.map((j) => j.metadata?.name?.split('-')[0])).toEqual(['first']);
    }
    // Both builds report the same image for each shared stage: the one the registry serves.
    expect(toolsStages(second).map((s) => s.imageDigest)).toEqual(
      toolsStages(first).map((s) => s.imageDigest),
    );
    expect(toolsStages(second).every((s) => s.source === 'cache')).toBe(true);
  });

  it('ImageBuilds applied in one kubectl apply build each shared stage once', {
    timeout: 400000,
  }, async () => {
    const ns = await testNamespace('together');
    const repo = repository();
    const names = ['alpha', 'beta', 'gamma'];
    const docs = names.map((name) =>
      stringify({
        apiVersion: 'stapel.dev/v1alpha1',
        kind: 'ImageBuild',
        metadata: { name, namespace: ns },
        spec: sharedStageSpec(repo, name),
      }),
    );
    kubectl(['apply', '-f', '-'], docs.join('---\n'));
    const builds = await Promise.all(names.map((name) => waitForBuild(ns, name, ready, 300_000)));
    const jobs = await ownedJobs(ns);
    const digests = new Set(builds.flatMap((ib) => toolsStages(ib).map((s) => s.digest)));
    expect(digests.size).toBeGreaterThan(1);
    for (const digest of digests) {
      const forDigest = jobs.filter((j) => j.metadata?.annotations?.['stapel.dev/stage-digest'] === digest);
      expect({ digest, jobs: forDigest.length }).toEqual({ digest, jobs: 1 });
    }
    // Every build reports the one image the registry serves for each shared stage.
    const imageDigests = builds.map((ib) => toolsStages(ib).map((s) => s.imageDigest));
    expect(imageDigests[1]).toEqual(imageDigests[0]);
    expect(imageDigests[2]).toEqual(imageDigests[0]);
  });

  it('deleting the ImageBuild removes its Jobs and pods', { timeout: 300000 }, async () => {
    const ns = await testNamespace('delete');
    applyImageBuild(ns, 'gone', seedSpec(repository()));
    await waitFor(async () => (await ownedJobs(ns)).length > 0, {
      description: 'stage Jobs',
      timeoutMs: 60_000,
    });
    const api = new k8s.KubeConfig();
    api.loadFromFile(inject('kubeconfig'));
    await api.makeApiClient(k8s.CustomObjectsApi).deleteNamespacedCustomObject({
      group: 'stapel.dev',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'imagebuilds',
      name: 'gone',
      propagationPolicy: 'Foreground',
    });
    const { core } = adminClients();
    await waitFor(
      async () =>
        (await ownedJobs(ns)).length === 0 &&
        (await core.listNamespacedPod({ namespace: ns })).items.length === 0,
      { description: 'no Jobs or pods left', timeoutMs: 120_000 },
    );
  });
});
