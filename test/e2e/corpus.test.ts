import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { type BuildObject, outcomeOf } from '../../scripts/demo/view.js';
import type { ImageBuildStatus } from '../../src/api/imagebuild.js';
import { testNamespace } from '../cluster/helpers/namespace.js';
import { readImage } from '../cluster/helpers/registry-files.js';
import { applyImageBuild, waitForBuild } from './support/imagebuild.js';
import { REPO_ROOT, useOperator } from './support/operator.js';

// Real werf.yaml files from the corpus, built by the operator on the test
// cluster with deploy/'s ServiceAccount. Only their base images differ from
// upstream (test/fixtures/e2e-corpus). What the corpus cannot do here, and
// why (facts about the builder, not gaps in these tests):
// - local git mappings (`git:` without `url`) read the project's own
//   repository, which an ImageBuild does not carry: every image with one,
//   and every image importing from one, is left out (most of the corpus,
//   and every templated file);
// - `ansible:` is not supported by this builder (dotplant2, hlf-explorer,
//   lufanchik, translator-front);
// - commands that need a distribution's package manager (apk, apt) cannot
//   run on the local busybox base.

const OPERATOR_PRESENT = existsSync(join(REPO_ROOT, 'src/cli/run.ts'));
const fixture = (name: string) =>
  readFileSync(join(REPO_ROOT, 'test/fixtures/e2e-corpus', `${name}.werf.yaml`), 'utf8');

const env = useOperator({ when: OPERATOR_PRESENT });

async function build(
  namespace: string,
  name: string,
  config: string,
  images?: string[],
): Promise<{ build: BuildObject; repository: string }> {
  const repository = `${inject('registry')}/e2e-corpus/${name}`;
  const spec = {
    config,
    env: { BASE_IMAGE: inject('busyboxImage') },
    registry: { repository, insecure: true },
    retries: 0,
    ...(images ? { images } : {}),
  };
  applyImageBuild(namespace, name, spec);
  const done = await waitForBuild(
    namespace,
    name,
    (b) => outcomeOf(b).state !== 'running',
    600_000,
    () => env.operator.process.logTail(15),
  );
  return { build: done, repository };
}

const stagesOf = (status: ImageBuildStatus | undefined, image: string) =>
  status?.images?.find((i) => i.name === image)?.stages ?? [];

describe.skipIf(!OPERATOR_PRESENT)('corpus configs through the operator', () => {
  it('alignfig: redis, redis_exporter and python_base build; equal bases share one stage; YAML int ENV values', async () => {
    const ns = await testNamespace('alignfig');
    const { build: b, repository } = await build(ns, 'alignfig', fixture('alignfig'), [
      'redis',
      'redis_exporter',
      'python_base',
    ]);
    expect(outcomeOf(b), JSON.stringify(b.status?.conditions)).toEqual({ state: 'ready' });
    const status = b.status!;
    expect(status.images?.map((i) => i.name).sort()).toEqual(['python_base', 'redis', 'redis_exporter']);
    // Both images are `from:` the same base and nothing else: the same stage, one digest.
    const redisFrom = stagesOf(status, 'redis')[0]!;
    expect(stagesOf(status, 'redis_exporter').map((s) => s.digest)).toEqual([redisFrom.digest]);
    const python = stagesOf(status, 'python_base');
    expect(python.map((s) => s.name)).toEqual(['from', 'dockerInstructions']);
    const image = await readImage(`${repository}:${python[1]!.digest}`);
    expect(image.digest).toBe(python[1]!.imageDigest);
    // werf writes YAML ints of docker.ENV as their decimal text.
    expect(image.config.config?.Env).toEqual(
      expect.arrayContaining(['PYTHONDONTWRITEBYTECODE=1', 'PYTHONUNBUFFERED=1']),
    );
  });

  it('ivinco-k8s-infra: the image without git (networkChecker) builds alone', async () => {
    const ns = await testNamespace('k8s-infra');
    const { build: b } = await build(ns, 'k8s-infra', fixture('ivinco-k8s-infra'), ['networkChecker']);
    expect(outcomeOf(b), JSON.stringify(b.status?.conditions)).toEqual({ state: 'ready' });
    expect(b.status?.images?.map((i) => i.name)).toEqual(['networkChecker']);
    const [from] = stagesOf(b.status, 'networkChecker');
    expect(from).toMatchObject({
      name: 'from',
      phase: 'Succeeded',
      imageDigest: expect.stringMatching(/^sha256:/),
    });
  });

  it('ivinco-tenis: mongodb builds; the images fed by local git are not requested', async () => {
    const ns = await testNamespace('tenis');
    const { build: b } = await build(ns, 'tenis', fixture('ivinco-tenis'), ['mongodb']);
    expect(outcomeOf(b), JSON.stringify(b.status?.conditions)).toEqual({ state: 'ready' });
    expect(b.status?.images?.map((i) => i.name)).toEqual(['mongodb']);
  });

  it('werf imports fixture: the apk step of the nameless image fails as BuildFailed naming the command, nothing else fails', async () => {
    const ns = await testNamespace('imports');
    const { build: b } = await build(ns, 'imports', fixture('werf-fixture-imports-app-1'));
    const outcome = outcomeOf(b);
    expect(outcome.state).toBe('failed');
    if (outcome.state !== 'failed') return;
    expect(outcome.reason).toBe('BuildFailed');
    expect(outcome.message).toMatch(/apk/);
    // The failing stage is the nameless image's beforeInstall (`apk add bash`);
    // myartifact (mkdir, touch, echo), built alongside it, has no failed stage.
    const failed = (b.status?.images ?? []).flatMap((i) =>
      i.stages.filter((s) => s.phase === 'Failed').map((s) => `${i.name}/${s.name}`),
    );
    expect(failed).toEqual([expect.stringMatching(/\/beforeInstall$/)]);
    expect(failed[0]).not.toMatch(/^myartifact\//);
    expect(stagesOf(b.status, 'myartifact').length).toBeGreaterThan(1);
  });

  it('werf imports fixture without its apk step: the imports stage fails as ImportNotFound naming a missing add path', async () => {
    const ns = await testNamespace('imports-missing');
    const config = fixture('werf-fixture-imports-app-1').replace(
      /^shell:\n {2}beforeInstall:\n {2}- apk add bash\n/m,
      '',
    );
    expect(config).not.toMatch(/apk/);
    const { build: b } = await build(ns, 'imports-missing', config);
    const outcome = outcomeOf(b);
    expect(outcome.state).toBe('failed');
    if (outcome.state !== 'failed') return;
    expect(outcome.reason).toBe('ImportNotFound');
    // /myartifact/no-such-dir or /myartifact/file-no-such-file: whichever the registry answered first.
    expect(outcome.message).toMatch(
      /dependenciesAfterInstall: import source .*: add path \/myartifact\/(no-such-dir|file-no-such-file) not found in the image/,
    );
    const failed = (b.status?.images ?? []).flatMap((i) =>
      i.stages.filter((s) => s.phase === 'Failed').map((s) => `${i.name}/${s.name}`),
    );
    expect(failed).toEqual([expect.stringMatching(/\/dependenciesAfterInstall$/)]);
    expect(stagesOf(b.status, 'myartifact').every((s) => s.phase === 'Succeeded')).toBe(true);
  });
});
