// The registry client against a real registry (Debian's docker-registry):
// the shared loopback one, and one of our own behind htpasswd Basic auth.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importChecksum, md5Hex } from '../../../src/plan/import-checksum.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { CredentialStore } from '../../../src/registry/credentials.js';
import { RegistryError } from '../../../src/registry/errors.js';
import { importChecksumFromRegistry } from '../../../src/registry/imports.js';
import { OCI_MANIFEST } from '../../../src/registry/media-types.js';
import {
  type LocalRegistry,
  startDockerRegistry,
  TEST_HTPASSWD,
  TEST_PASSWORD,
  TEST_USER,
} from '../../support/docker-registry.js';
import { pushImage } from '../../support/push-image.js';

const registry = inject('registry');
const client = new RegistryClient({ insecureRegistries: [registry] });
const repo = `${registry}/client-test/app-${process.pid}`;

describe('RegistryClient against the loopback registry', () => {
  it('pushes an image, finds its tag by digest, and reports absent tags and repositories as undefined', async () => {
    const image = await pushImage(client, `${repo}:v1`, [
      [{ type: 'file', path: 'hello.txt', content: 'hi\n' }],
    ]);
    expect(await client.manifestDigest(`${repo}:v1`)).toBe(image.digest);
    expect(await client.manifestDigest(image.ref)).toBe(image.digest);
    expect(await client.manifestDigest(`${repo}:no-such-tag`)).toBeUndefined();
    expect(await client.manifestDigest(`${registry}/client-test/never-pushed:v1`)).toBeUndefined();
  });

  it('tags an existing manifest under a new tag with the same digest', async () => {
    const image = await pushImage(client, `${repo}:v2`, [[{ type: 'file', path: 'a', content: 'a' }]]);
    const raw = await client.getManifest(image.ref);
    expect(raw?.mediaType).toBe(OCI_MANIFEST);
    const digest = await client.putManifest(`${repo}:retagged`, raw?.bytes as Buffer, OCI_MANIFEST);
    expect(digest).toBe(image.digest);
    expect(await client.manifestDigest(`${repo}:retagged`)).toBe(image.digest);
  });

  it('knows which blobs exist and streams them verified', async () => {
    const image = await pushImage(client, `${repo}:v3`, [[{ type: 'file', path: 'b', content: 'bee' }]]);
    const resolved = await client.getImage(image.ref);
    const layer = resolved.manifest.layers[0];
    expect(layer).toBeDefined();
    expect(await client.blobExists(repo, layer?.digest as string)).toBe(true);
    expect(await client.blobExists(repo, `sha256:${'0'.repeat(64)}`)).toBe(false);
    expect(
      (await client.getBlob(repo, layer as { digest: string; size: number })).equals(
        image.layers[0] as Buffer,
      ),
    ).toBe(true);
  });

  it('computes the import checksum from the registry image without writing files', async () => {
    const image = await pushImage(client, `${repo}:v4`, [
      [
        { type: 'file', path: 'o/a.txt', content: 'A' },
        { type: 'file', path: 'o/b.jar', content: 'B' },
        { type: 'symlink', path: 'o/l', target: 'b.jar' },
      ],
    ]);
    const sum = await importChecksumFromRegistry(client, image.ref, {
      add: '/o',
      includePaths: [],
      excludePaths: [],
    });
    expect(sum).toBe(
      importChecksum('/o', [
        { relPath: 'a.txt', type: 'file', md5: md5Hex('A') },
        { relPath: 'b.jar', type: 'file', md5: md5Hex('B') },
        { relPath: 'l', type: 'symlink', md5: md5Hex('b.jar') },
      ]),
    );
    await expect(
      importChecksumFromRegistry(client, image.ref, {
        add: '/o/missing',
        includePaths: [],
        excludePaths: [],
      }),
    ).rejects.toThrow(`add path /o/missing not found in the image`);
  });
});

describe('RegistryClient against a registry with htpasswd (Basic) auth', () => {
  let secured: LocalRegistry;
  beforeAll(async () => {
    secured = await startDockerRegistry({ htpasswd: TEST_HTPASSWD });
  });
  afterAll(() => secured?.stop());

  const withCreds = (password: string) =>
    new RegistryClient({
      insecureRegistries: [secured.host],
      credentials: CredentialStore.fromJson(
        JSON.stringify({
          auths: { [secured.host]: { auth: Buffer.from(`${TEST_USER}:${password}`).toString('base64') } },
        }),
        'test config',
      ),
    });

  it('pushes and reads with the right credentials', async () => {
    const c = withCreds(TEST_PASSWORD);
    const image = await pushImage(c, `${secured.host}/private/app:v1`, [
      [{ type: 'file', path: 'x', content: 'x' }],
    ]);
    expect(await c.manifestDigest(`${secured.host}/private/app:v1`)).toBe(image.digest);
  });

  it('fails with an auth error that names the target and never the password', async () => {
    const c = withCreds('not-the-password-123');
    const err = (await c
      .manifestDigest(`${secured.host}/private/app:v1`)
      .catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.kind).toBe('auth');
    expect(err.message).toContain(`registry ${secured.host}, repository private/app, reference v1`);
    expect(err.message).not.toContain('not-the-password-123');
    const anonymous = new RegistryClient({ insecureRegistries: [secured.host] });
    await expect(anonymous.manifestDigest(`${secured.host}/private/app:v1`)).rejects.toThrow(
      /needs credentials/,
    );
  });
});
