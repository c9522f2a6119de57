// The client's auth and redirect handling against loopback HTTP fixtures: a
// registry that answers with Bearer or Basic challenges, a token server, and
// a second origin standing in for the object store blobs redirect to. (The
// Debian registry only does Basic; test/cluster covers it for real.)
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../src/registry/client.js';
import { CredentialStore } from '../../../src/registry/credentials.js';
import { RegistryError } from '../../../src/registry/errors.js';
import { DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from '../../../src/registry/media-types.js';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

async function serve(handler: Handler): Promise<{ server: Server; host: string }> {
  const server = createServer((req, res) => handler(req, res, new URL(req.url ?? '/', 'http://x')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const blob = Buffer.from('layer bytes '.repeat(1000));
const blobDigest = sha(blob);
const amd64 = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'c', digest: blobDigest, size: blob.length },
    layers: [],
  }),
);
const armConfigDigest = sha('arm64 config');
const arm64 = Buffer.from(
  amd64
    .toString()
    .replace(blobDigest, armConfigDigest)
    .replace('"layers":[]', '"layers":[],"annotations":{"a":"arm"}'),
);
const index = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      {
        mediaType: OCI_MANIFEST,
        digest: sha(arm64),
        size: arm64.length,
        platform: { os: 'linux', architecture: 'arm64' },
      },
      {
        mediaType: OCI_MANIFEST,
        digest: sha(amd64),
        size: amd64.length,
        platform: { os: 'linux', architecture: 'amd64' },
      },
    ],
  }),
);

let store: Awaited<ReturnType<typeof serve>>;
let bearerRegistry: Awaited<ReturnType<typeof serve>>;
let basicRegistry: Awaited<ReturnType<typeof serve>>;
const tokenRequests: Array<{ scope: string | null; service: string | null; authorization?: string }> = [];
const storeRequests: Array<{ authorization?: string }> = [];
const accepts: string[] = [];
/** `METHOD path` of every authorized request to the Bearer registry. */
const registryRequests: string[] = [];

beforeAll(async () => {
  store = await serve((req, res, url) => {
    storeRequests.push({ authorization: req.headers.authorization });
    if (url.pathname === '/good') res.end(blob);
    else res.end(Buffer.concat([blob.subarray(0, -1), Buffer.from('X')]));
  });
  bearerRegistry = await serve((req, res, url) => {
    if (url.pathname === '/token') {
      tokenRequests.push({
        scope: url.searchParams.get('scope'),
        service: url.searchParams.get('service'),
        authorization: req.headers.authorization,
      });
      const ok = req.headers.authorization === `Basic ${Buffer.from('robot:s3cret').toString('base64')}`;
      if (!ok) return void res.writeHead(401).end();
      return void res.end(JSON.stringify({ token: `tok:${url.searchParams.get('scope')}`, expires_in: 300 }));
    }
    const scope = `repository:ns/app:${req.method === 'PUT' ? 'pull,push' : 'pull'}`;
    if (req.headers.authorization !== `Bearer tok:${scope}`) {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${bearerRegistry.host}/token",service="fake registry",scope="${scope}"`,
        'content-type': 'application/json',
      });
      return void res.end(
        JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
      );
    }
    accepts.push(String(req.headers.accept));
    registryRequests.push(`${req.method} ${url.pathname}`);
    const send = (body: Buffer, type: string) => {
      res.writeHead(200, {
        'content-type': type,
        'docker-content-digest': sha(body),
        'content-length': body.length,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (url.pathname === '/v2/ns/app/manifests/multi') return send(index, OCI_INDEX);
    if (url.pathname === `/v2/ns/app/manifests/${sha(amd64)}`) return send(amd64, OCI_MANIFEST);
    if (url.pathname === `/v2/ns/app/manifests/${sha(arm64)}`) return send(arm64, OCI_MANIFEST);
    if (url.pathname === `/v2/ns/app/manifests/${sha(index)}`) return send(index, OCI_INDEX);
    if (url.pathname === `/v2/ns/app/manifests/${sha('forged')}`) return send(amd64, DOCKER_MANIFEST);
    if (url.pathname === `/v2/ns/app/blobs/${blobDigest}`) {
      return void res.writeHead(307, { location: `http://${store.host}/good` }).end();
    }
    if (url.pathname === `/v2/ns/app/blobs/${sha('other')}`) {
      return void res.writeHead(307, { location: `http://${store.host}/bad` }).end();
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      req.method === 'HEAD'
        ? undefined
        : JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }),
    );
  });
  basicRegistry = await serve((req, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from('alice:pw').toString('base64')}`) {
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="Registry Realm"' }).end();
    }
    res.writeHead(404).end();
  });
});

afterAll(() => {
  for (const s of [store, bearerRegistry, basicRegistry]) s?.server.close();
});

function client(registry: string, creds: Record<string, unknown>) {
  return new RegistryClient({
    credentials: CredentialStore.fromJson(JSON.stringify({ auths: creds }), 'test'),
    insecureRegistries: [registry],
    platform: { os: 'linux', architecture: 'amd64' },
  });
}

describe('RegistryClient against fixture servers', () => {
  it('answers a Bearer challenge with Basic credentials at the token server, then caches the token per scope', async () => {
    const c = client(bearerRegistry.host, {
      [bearerRegistry.host]: { username: 'robot', password: 's3cret' },
    });
    tokenRequests.length = 0;
    expect(await c.manifestDigest(`${bearerRegistry.host}/ns/app:multi`)).toBe(sha(index));
    expect(await c.manifestDigest(`${bearerRegistry.host}/ns/app@${sha(amd64)}`)).toBe(sha(amd64));
    expect(tokenRequests).toEqual([
      {
        scope: 'repository:ns/app:pull',
        service: 'fake registry',
        authorization: `Basic ${Buffer.from('robot:s3cret').toString('base64')}`,
      },
    ]);
    expect(accepts.at(-1)).toContain('application/vnd.oci.image.index.v1+json');
    expect(accepts.at(-1)).toContain('application/vnd.docker.distribution.manifest.v2+json');
  });

  it('reports an absent manifest as undefined, not as an error', async () => {
    const c = client(bearerRegistry.host, {
      [bearerRegistry.host]: { username: 'robot', password: 's3cret' },
    });
    expect(await c.manifestDigest(`${bearerRegistry.host}/ns/app:nope`)).toBeUndefined();
  });

  it('picks the platform from an index and verifies the by-digest manifest', async () => {
    const c = client(bearerRegistry.host, {
      [bearerRegistry.host]: { username: 'robot', password: 's3cret' },
    });
    const image = await c.getImage(`${bearerRegistry.host}/ns/app:multi`);
    expect(image.digest).toBe(sha(amd64));
    expect(image.indexDigest).toBe(sha(index));
    const arm = new RegistryClient({
      credentials: CredentialStore.fromJson(
        JSON.stringify({ auths: { [bearerRegistry.host]: { username: 'robot', password: 's3cret' } } }),
        't',
      ),
      insecureRegistries: [bearerRegistry.host],
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect((await arm.getImage(`${bearerRegistry.host}/ns/app:multi`)).digest).toBe(sha(arm64));
    const s390 = new RegistryClient({
      credentials: CredentialStore.fromJson(
        JSON.stringify({ auths: { [bearerRegistry.host]: { username: 'robot', password: 's3cret' } } }),
        't',
      ),
      insecureRegistries: [bearerRegistry.host],
      platform: { os: 'linux', architecture: 's390x' },
    });
    await expect(s390.getImage(`${bearerRegistry.host}/ns/app:multi`)).rejects.toThrow(
      /no image for platform linux\/s390x in the index \(offered: linux\/arm64, linux\/amd64\)/,
    );
  });

  it('reads the image config digest with one GET (two from an index, the platform picked as getImage does)', async () => {
    const c = client(bearerRegistry.host, {
      [bearerRegistry.host]: { username: 'robot', password: 's3cret' },
    });
    registryRequests.length = 0;
    expect(await c.imageConfigDigest(`${bearerRegistry.host}/ns/app@${sha(amd64)}`)).toEqual({
      manifestDigest: sha(amd64),
      configDigest: blobDigest,
    });
    expect(registryRequests).toEqual([`GET /v2/ns/app/manifests/${sha(amd64)}`]);

    registryRequests.length = 0;
    // The index's own digest (what the tag names, as a HEAD reports it), the config of the picked platform.
    expect(await c.imageConfigDigest(`${bearerRegistry.host}/ns/app:multi`)).toEqual({
      manifestDigest: sha(index),
      configDigest: blobDigest,
    });
    expect(registryRequests).toEqual([
      'GET /v2/ns/app/manifests/multi',
      `GET /v2/ns/app/manifests/${sha(amd64)}`,
    ]);
    const arm = new RegistryClient({
      credentials: CredentialStore.fromJson(
        JSON.stringify({ auths: { [bearerRegistry.host]: { username: 'robot', password: 's3cret' } } }),
        't',
      ),
      insecureRegistries: [bearerRegistry.host],
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect(await arm.imageConfigDigest(`${bearerRegistry.host}/ns/app:multi`)).toEqual({
      manifestDigest: sha(index),
      configDigest: armConfigDigest,
    });

    expect(await c.imageConfigDigest(`${bearerRegistry.host}/ns/app:nope`)).toBeUndefined();
  });

  it('rejects a manifest whose bytes do not match the digest asked for', async () => {
    const c = client(bearerRegistry.host, {
      [bearerRegistry.host]: { username: 'robot', password: 's3cret' },
    });
    // The fixture serves amd64's bytes when asked for the digest of "forged".
    await expect(c.getManifest(`${bearerRegistry.host}/ns/app@${sha('forged')}`)).rejects.toThrow(
      `reference ${sha('forged')}: content hashes to ${sha(amd64)}, expected ${sha('forged')}`,
    );
    await expect(c.getManifest(`${bearerRegistry.host}/ns/app@${sha(arm64)}`)).resolves.toMatchObject({
      digest: sha(arm64),
    });
  });

  it('follows a blob redirect to another origin without sending the Authorization header there', async () => {
    const c = client(bearerRegistry.host, {
      [bearerRegistry.host]: { username: 'robot', password: 's3cret' },
    });
    storeRequests.length = 0;
    const got = await c.getBlob(`${bearerRegistry.host}/ns/app`, { digest: blobDigest, size: blob.length });
    expect(got.equals(blob)).toBe(true);
    expect(storeRequests).toEqual([{ authorization: undefined }]);
  });

  it('fails a blob stream whose bytes do not hash to the digest, or whose size differs', async () => {
    const c = client(bearerRegistry.host, {
      [bearerRegistry.host]: { username: 'robot', password: 's3cret' },
    });
    await expect(
      c.getBlob(`${bearerRegistry.host}/ns/app`, { digest: sha('other'), size: blob.length }),
    ).rejects.toThrow(/blob hashes to sha256:[0-9a-f]{64}, expected sha256:/);
    await expect(
      c.getBlob(`${bearerRegistry.host}/ns/app`, { digest: blobDigest, size: blob.length + 5 }),
    ).rejects.toThrow(/blob has 12000 bytes, its descriptor says 12005/);
    await expect(
      c.getBlob(`${bearerRegistry.host}/ns/app`, { digest: blobDigest, size: 10 }),
    ).rejects.toThrow(/larger than the 10 bytes/);
  });

  it('turns rejected credentials into an auth error naming registry, repository and reference but no secret', async () => {
    const c = client(bearerRegistry.host, {
      [bearerRegistry.host]: { username: 'robot', password: 'wrong-pw-42' },
    });
    const err = await c.manifestDigest(`${bearerRegistry.host}/ns/app:multi`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).kind).toBe('auth');
    const msg = String((err as Error).message);
    expect(msg).toContain(`registry ${bearerRegistry.host}, repository ns/app, reference multi`);
    expect(msg).not.toContain('wrong-pw-42');
    expect(msg).not.toContain(Buffer.from('robot:wrong-pw-42').toString('base64'));
  });

  it('answers a Basic challenge, and says so when no credentials are configured', async () => {
    const ok = client(basicRegistry.host, {
      [basicRegistry.host]: { auth: Buffer.from('alice:pw').toString('base64') },
    });
    expect(await ok.manifestDigest(`${basicRegistry.host}/x/y:t`)).toBeUndefined();
    const none = client(basicRegistry.host, {});
    await expect(none.manifestDigest(`${basicRegistry.host}/x/y:t`)).rejects.toThrow(
      `registry ${basicRegistry.host}, repository x/y, reference t: HEAD needs credentials and none are configured`,
    );
  });

  it('uses plain HTTP only for registries listed as insecure', async () => {
    const c = new RegistryClient({ platform: { os: 'linux', architecture: 'amd64' } });
    const err = (await c
      .manifestDigest(`${basicRegistry.host}/x/y:t`)
      .catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.kind).toBe('network');
  });
});
