import { describe, expect, it } from 'vitest';
import { ImageBuildSchema } from '../../../src/api/imagebuild.js';
import { describeSchemaIssues } from '../../../src/reconciler/config.js';
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
