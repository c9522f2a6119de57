import { describe, expect, it } from 'vitest';
import { finalImageTags } from '../../../src/reconciler/tags.js';

describe('finalImageTags', () => {
  it('replaces %image% with each final image name', () => {
    const r = finalImageTags(['%image%-v1', 'latest-%image%'], ['site', 'api']);
    expect(r).toEqual({
      ok: true,
      tags: new Map([
        ['site', ['site-v1', 'latest-site']],
        ['api', ['api-v1', 'latest-api']],
      ]),
    });
  });

  it('allows a plain tag for a single image and rejects one shared by two images', () => {
    expect(finalImageTags(['v1'], ['site'])).toEqual({ ok: true, tags: new Map([['site', ['v1']]]) });
    const r = finalImageTags(['v1'], ['site', 'api']);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/same tag v1; add %image%/);
  });
});
