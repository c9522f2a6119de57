import { describe, expect, it } from 'vitest';
import { ImageBuildSchema } from '../../../src/api/imagebuild.js';
import { compileConfig, describeSchemaIssues, MAX_STAGES_PER_BUILD } from '../../../src/reconciler/config.js';
import { imageBuild } from './fixtures.js';

// What status says when an ImageBuild does not match its schema (the CRD
// normally rejects it first; an older CRD or a direct status write does not).

function schemaMessage(raw: unknown): string {
  const parsed = ImageBuildSchema.safeParse(raw);
  if (parsed.success) throw new Error('expected a schema error');
  return describeSchemaIssues(parsed.error.issues);
}

describe('ImageBuild schema errors in status', () => {
  it('name each field once, from the top of the resource', () => {
    const build = imageBuild();
    expect(schemaMessage({ ...build, spec: { ...build.spec, parallelism: 'many', env: { A: 1 } } })).toBe(
      'spec.env.A: Invalid input: expected string, received number\nspec.parallelism: Invalid input: expected number, received string',
    );
  });

  it('stay short when every item of a long list is wrong', () => {
    const build = imageBuild();
    const message = schemaMessage({ ...build, spec: { ...build.spec, images: Array(5000).fill('') } });
    expect(message.split('\n')).toHaveLength(21);
    expect(message).toMatch(/^spec\.images\.0: Too small/);
    expect(message.endsWith('\n(4980 more)')).toBe(true);
  });
});

describe('werf-giterminism.yaml from the project repository', () => {
  const config =
    'project: p\nconfigVersion: 1\n---\nimage: a\nfrom: alpine:3.20\ngit:\n- {url: "https://git.example/lib.git", branch: main, add: /, to: /lib}\n';
  const git = { url: 'https://git.example/app.git', commit: 'c'.repeat(40) };

  it('a remote mapping on a branch is refused by default and allowed by the file', () => {
    const refused = compileConfig(config, imageBuild(), { git, files: new Map() });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.errors.join('\n')).toContain('config.stapel.git.allowBranch');
    const files = new Map([
      [
        'werf-giterminism.yaml',
        'giterminismConfigVersion: 1\nconfig:\n  stapel:\n    git:\n      allowBranch: true\n',
      ],
    ]);
    expect(compileConfig(config, imageBuild(), { git, files }).ok).toBe(true);
  });

  it('a broken file is a config error naming its place in the repository', () => {
    const files = new Map([['werf-giterminism.yaml', 'giterminismConfigVersion: 1\nconfig: {stapl: {}}\n']]);
    const result = compileConfig(config, imageBuild(), { git, files, filesDir: 'deploy' });
    expect(result).toEqual({
      ok: false,
      errors: ['deploy/werf-giterminism.yaml:2:10: config.stapl: unknown field "stapl"'],
    });
  });
});

describe('the size of one ImageBuild', () => {
  const config = (images: number) =>
    [
      'project: big\nconfigVersion: 1',
      ...Array.from(
        { length: images },
        (_, i) => `image: img${i}\nfrom: alpine:3.20\nshell:\n  install: [echo ${i}]\n  setup: [echo ${i}]`,
      ),
    ].join('\n---\n');

  it(`refuses a plan of more than ${MAX_STAGES_PER_BUILD} stages before any Job, and says how to split it`, () => {
    const result = compileConfig(config(400), imageBuild());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      new RegExp(
        `^werf\\.yaml: the build plans (\\d+) stages in 400 images; one ImageBuild holds at most ${MAX_STAGES_PER_BUILD} `,
      ),
    );
    expect(Number(/plans (\d+) stages/.exec(result.errors[0]!)![1])).toBeGreaterThan(MAX_STAGES_PER_BUILD);
    expect(result.errors[0]).toContain('spec.images');
  });

  it('counts only the images spec.images asks for (and what they need)', () => {
    expect(compileConfig(config(400), imageBuild({ images: ['img1', 'img2'] })).ok).toBe(true);
  });

  it('names spec.images, not a line of werf.yaml, for an image the config lacks', () => {
    const result = compileConfig(config(2), imageBuild({ images: ['nope'] }));
    expect(result).toEqual({
      ok: false,
      errors: ["spec.images: requested image 'nope' is not in the config (images: img0, img1)"],
    });
  });
});
