import { describe, expect, it } from 'vitest';
import {
  formatImageReference,
  InvalidReferenceError,
  manifestReference,
  parseImageReference,
  registryApiHost,
} from '../../../src/registry/reference.js';

const d = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference', () => {
  it.each([
    ['alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['alpine:3.20', { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' }],
    ['bitnami/redis', { registry: 'docker.io', repository: 'bitnami/redis', tag: 'latest' }],
    ['docker.io/alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['index.docker.io/library/alpine:1', { registry: 'docker.io', repository: 'library/alpine', tag: '1' }],
    ['localhost/x', { registry: 'localhost', repository: 'x', tag: 'latest' }],
    ['localhost:5000/a/b:t', { registry: 'localhost:5000', repository: 'a/b', tag: 't' }],
    [
      '127.0.0.1:41234/shop/stages',
      { registry: '127.0.0.1:41234', repository: 'shop/stages', tag: 'latest' },
    ],
    ['ghcr.io/o/r/deep/name', { registry: 'ghcr.io', repository: 'o/r/deep/name', tag: 'latest' }],
    [`ghcr.io/o/r@${d}`, { registry: 'ghcr.io', repository: 'o/r', digest: d }],
    [`ghcr.io/o/r:v1@${d}`, { registry: 'ghcr.io', repository: 'o/r', tag: 'v1', digest: d }],
    ['a.b:1/c:sha-1.2_x', { registry: 'a.b:1', repository: 'c', tag: 'sha-1.2_x' }],
  ])('%s', (input, want) => {
    expect(parseImageReference(input)).toEqual(want);
  });

  it.each([
    ['', /empty/],
    ['UPPER/case', /lowercase/],
    ['ghcr.io/', /no repository/],
    ['x:bad tag', /bad tag/],
    ['x@sha256:abc', /bad digest/],
    [`x@sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
    ['ghcr.io/a//b', /repository component ""/],
    ['x:-lead', /bad tag/],
  ])('rejects %j', (input, msg) => {
    expect(() => parseImageReference(input)).toThrow(InvalidReferenceError);
    expect(() => parseImageReference(input)).toThrow(msg);
  });

  it('names the manifest by digest when pinned, else by tag', () => {
    expect(manifestReference(parseImageReference(`r.io/a:t@${d}`))).toBe(d);
    expect(manifestReference(parseImageReference('r.io/a:t'))).toBe('t');
  });

  it('formats canonically and maps Docker Hub to its API host', () => {
    expect(formatImageReference(parseImageReference('alpine'))).toBe('docker.io/library/alpine:latest');
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryApiHost('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });
});
