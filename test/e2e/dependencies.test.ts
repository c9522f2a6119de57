import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { testNamespace } from '../cluster/helpers/namespace.js';
import { readImage } from '../cluster/helpers/registry-files.js';
import { applyImageBuild, condition, type ImageBuildObject, waitForBuild } from './support/imagebuild.js';
import { useOperator } from './support/operator.js';

// `dependencies` with `imports` of type ImageID and ImageDigest (werf §2.7):
// the dependent stage gets the dependency image's config digest ("image ID",
// `sha256:...` as werf writes it) and manifest digest as environment
// variables. ImageID is not in a HEAD answer: the operator has to read the
// manifest for it.

const env = useOperator();

const CONFIG = `project: deps
configVersion: 1
---
image: a
from: {{ env "BASE_IMAGE" }}
shell:
  install: [echo a > /a.txt]
---
image: b
from: {{ env "BASE_IMAGE" }}
dependencies:
- image: a
  after: install
  imports:
  - type: ImageID
    targetEnv: A_ID
  - type: ImageDigest
    targetEnv: A_DIGEST
shell:
  install: [echo b > /b.txt]
  setup:
  - echo "$A_ID" > /a-id
  - echo "$A_DIGEST" > /a-digest
`;

function spec(repository: string) {
  return {
    config: CONFIG,
    env: { BASE_IMAGE: inject('busyboxImage') },
    registry: { repository, insecure: true },
    retries: 0,
  };
}

const ready = (ib: ImageBuildObject) => condition(ib, 'Ready')?.status === 'True';
const log = () => env.operator.process.logTail(30);
const image = (ib: ImageBuildObject, name: string) => (ib.status?.images ?? []).find((i) => i.name === name)!;

describe('dependencies: ImageID and ImageDigest imports', () => {
  const repository = `${inject('registry')}/e2e-deps-${randomBytes(4).toString('hex')}`;

  it("the dependent image holds the dependency's real config digest and manifest digest", {
    timeout: 900_000,
  }, async () => {
    const ns = await testNamespace('deps');
    applyImageBuild(ns, 'deps', spec(repository));
    const ib = await waitForBuild(ns, 'deps', ready, 840_000, log);
    const a = image(ib, 'a');
    const b = image(ib, 'b');
    expect(b.stages.map((s) => s.name)).toContain('dependenciesAfterInstall');
    expect(b.stages.every((s) => s.phase === 'Succeeded')).toBe(true);

    // What the registry serves for a (its last stage image).
    const aLast = a.stages[a.stages.length - 1]!;
    const pulledA = await readImage(`${repository}:${aLast.digest}`);
    expect(pulledA.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pulledA.digest).toBe(aLast.imageDigest);
    const aConfig = pulledA.manifest.config.digest;
    expect(aConfig).toMatch(/^sha256:[0-9a-f]{64}$/);

    const pulledB = await readImage(b.ref!);
    const text = (path: string) => pulledB.files.get(path)?.content?.toString('utf8');
    expect(text('a-id')).toBe(`${aConfig}\n`);
    expect(text('a-digest')).toBe(`${pulledA.digest}\n`);
    // With the Buildah backend werf writes the env into the image config; so does a Dockerfile ENV.
    expect(pulledB.config.config?.Env).toEqual(
      expect.arrayContaining([`A_ID=${aConfig}`, `A_DIGEST=${pulledA.digest}`]),
    );
  });

  it('applied again (a fresh operator), every stage comes from the registry', {
    timeout: 300_000,
  }, async () => {
    await env.restart('operator-fresh', 'stop');
    const ns = await testNamespace('deps-again');
    applyImageBuild(ns, 'deps-again', spec(repository));
    const ib = await waitForBuild(ns, 'deps-again', ready, 240_000, log);
    const notCached = (ib.status?.images ?? [])
      .flatMap((i) => i.stages.map((s) => ({ id: `${i.name}/${s.name}`, source: s.source })))
      .filter((s) => s.source !== 'cache');
    expect(notCached).toEqual([]);
  });
});
