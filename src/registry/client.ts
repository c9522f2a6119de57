// OCI distribution client over Node's global fetch: manifests (HEAD/GET/PUT),
// blobs (GET verified while streaming, HEAD, monolithic upload), Basic and
// Bearer auth from Docker-style credentials with a token cache.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { type AuthChallenge, parseAuthChallenges } from './auth-challenge.js';
import { CredentialStore, type RegistryCredential } from './credentials.js';
import { describeErrorBody, RegistryError, type RegistryErrorTarget } from './errors.js';
import {
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  isImageManifestMediaType,
  isIndexMediaType,
  MANIFEST_ACCEPT,
  type Platform,
} from './media-types.js';
import {
  type ImageReference,
  manifestReference,
  parseImageReference,
  registryApiHost,
  withDigest,
} from './reference.js';

export interface RegistryClientOptions {
  credentials?: CredentialStore;
  /** Registries (host[:port]) spoken to over plain HTTP. Nothing else ever is. */
  insecureRegistries?: readonly string[];
  /** Platform picked from image indexes; defaults to linux and this machine's architecture. */
  platform?: Platform;
  fetch?: typeof fetch;
}

export interface RawManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface ResolvedImage {
  /** Digest of the image manifest (after picking a platform from an index). */
  digest: string;
  /** Digest of the index the image was picked from, when the reference named one. */
  indexDigest?: string;
  mediaType: string;
  manifest: ImageManifest;
}

type Actions = 'pull' | 'pull,push';
type RefInput = string | ImageReference;

const goArch: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  s390x: 's390x',
  ppc64: 'ppc64le',
};

export function defaultPlatform(): Platform {
  return { os: 'linux', architecture: goArch[process.arch] ?? process.arch };
}

function toRef(ref: RefInput): ImageReference {
  return typeof ref === 'string' ? parseImageReference(ref) : ref;
}

function targetOf(ref: ImageReference, reference?: string): RegistryErrorTarget {
  return {
    registry: ref.registry,
    repository: ref.repository,
    reference: reference ?? manifestReference(ref),
  };
}

export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function verifyDigest(target: RegistryErrorTarget, expected: string, data: Uint8Array): void {
  if (!expected.startsWith('sha256:')) {
    throw new RegistryError(
      'unsupported',
      target,
      `digest algorithm of ${expected} is not supported (only sha256)`,
    );
  }
  const actual = sha256Digest(data);
  if (actual !== expected) {
    throw new RegistryError('digest-mismatch', target, `content hashes to ${actual}, expected ${expected}`);
  }
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

export class RegistryClient {
  private readonly credentials: CredentialStore;
  private readonly insecure: Set<string>;
  private readonly platform: Platform;
  private readonly fetchImpl: typeof fetch;
  /** Last challenge seen per registry, so later requests authenticate up front. */
  private readonly challenges = new Map<string, AuthChallenge>();
  private readonly tokens = new Map<string, CachedToken>();

  constructor(options: RegistryClientOptions = {}) {
    this.credentials = options.credentials ?? CredentialStore.empty();
    this.insecure = new Set((options.insecureRegistries ?? []).map((h) => h.toLowerCase()));
    this.platform = options.platform ?? defaultPlatform();
    this.fetchImpl = options.fetch ?? fetch;
  }

  // ------------------------------------------------------------ manifests

  /**
   * The digest of the manifest a reference names, or undefined when the
   * registry says it does not exist. Auth failures and other errors throw:
   * "cannot tell" is never reported as "absent".
   */
  async manifestDigest(input: RefInput): Promise<string | undefined> {
    const ref = toRef(input);
    const target = targetOf(ref);
    const res = await this.send(ref, 'pull', 'HEAD', `manifests/${manifestReference(ref)}`, {
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await this.failure(res, target, 'HEAD manifest');
    const header = res.headers.get('docker-content-digest');
    if (ref.digest) return ref.digest;
    if (header) return header;
    // Some registries omit the header: hash the exact body bytes instead.
    const raw = await this.getManifest(ref);
    return raw?.digest;
  }

  /** The manifest bytes as served (undefined when absent), verified when fetched by digest. */
  async getManifest(input: RefInput): Promise<RawManifest | undefined> {
    const ref = toRef(input);
    const target = targetOf(ref);
    const res = await this.send(ref, 'pull', 'GET', `manifests/${manifestReference(ref)}`, {
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (res.status !== 200) throw await this.failure(res, target, 'GET manifest');
    const bytes = Buffer.from(await res.arrayBuffer());
    if (ref.digest) verifyDigest(target, ref.digest, bytes);
    let mediaType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!isIndexMediaType(mediaType) && !isImageManifestMediaType(mediaType)) {
      // Mislabelled: trust the document's own mediaType field.
      mediaType = this.parseJson<{ mediaType?: string }>(bytes, target).mediaType ?? mediaType;
    }
    return { digest: ref.digest ?? sha256Digest(bytes), mediaType, bytes };
  }

  /** Resolves a reference to one image manifest, picking this client's platform from an index. */
  async getImage(input: RefInput): Promise<ResolvedImage> {
    const ref = toRef(input);
    const raw = await this.getManifest(ref);
    if (!raw) throw new RegistryError('not-found', targetOf(ref), 'manifest not found');
    return this.resolveImage(ref, raw);
  }

  /**
   * The image config digest (the "image ID") of the image a reference names,
   * with the digest of the manifest the reference names (an index's own
   * digest when it names one; the config is then the one of the platform
   * `getImage` picks). Undefined when the registry says the reference does
   * not exist. One GET, two for an index.
   */
  async imageConfigDigest(
    input: RefInput,
  ): Promise<{ manifestDigest: string; configDigest: string } | undefined> {
    const ref = toRef(input);
    const raw = await this.getManifest(ref);
    if (!raw) return undefined;
    const image = await this.resolveImage(ref, raw);
    const configDigest = image.manifest.config.digest;
    // It ends up in a build's environment: only a well-formed digest is taken.
    if (typeof configDigest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(configDigest)) {
      throw new RegistryError(
        'protocol',
        targetOf(ref),
        `image config digest ${JSON.stringify(configDigest)} is not a sha256 digest`,
      );
    }
    return { manifestDigest: raw.digest, configDigest };
  }

  private async resolveImage(ref: ImageReference, raw: RawManifest): Promise<ResolvedImage> {
    const target = targetOf(ref);
    if (isIndexMediaType(raw.mediaType)) {
      const index = this.parseJson<ImageIndex>(raw.bytes, target);
      const chosen = this.pickPlatform(index, target);
      const imageRef = withDigest(ref, chosen.digest);
      const image = await this.getManifest(imageRef);
      if (!image)
        throw new RegistryError('not-found', targetOf(imageRef), 'manifest listed in the index is missing');
      const resolved = this.toImage(image, targetOf(imageRef));
      return { ...resolved, indexDigest: raw.digest };
    }
    return this.toImage(raw, target);
  }

  private toImage(raw: RawManifest, target: RegistryErrorTarget): ResolvedImage {
    if (!isImageManifestMediaType(raw.mediaType)) {
      throw new RegistryError(
        'unsupported',
        target,
        `manifest media type "${raw.mediaType}" is not an image manifest`,
      );
    }
    const manifest = this.parseJson<ImageManifest>(raw.bytes, target);
    if (!manifest.config || !Array.isArray(manifest.layers)) {
      throw new RegistryError('protocol', target, 'image manifest lacks config or layers');
    }
    return { digest: raw.digest, mediaType: raw.mediaType, manifest };
  }

  private pickPlatform(index: ImageIndex, target: RegistryErrorTarget): Descriptor {
    const want = this.platform;
    const candidates = (index.manifests ?? []).filter(
      (m) => m.platform && m.platform.os === want.os && m.platform.architecture === want.architecture,
    );
    const chosen =
      candidates.find((m) => (want.variant ? m.platform?.variant === want.variant : true)) ?? candidates[0];
    if (!chosen) {
      const offered = (index.manifests ?? [])
        .map((m) =>
          m.platform
            ? `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}`
            : '?',
        )
        .join(', ');
      throw new RegistryError(
        'not-found',
        target,
        `no image for platform ${want.os}/${want.architecture}${want.variant ? `/${want.variant}` : ''} in the index (offered: ${offered || 'none'})`,
      );
    }
    return chosen;
  }

  /** Stores a manifest under the reference's tag (or digest); returns the manifest digest. */
  async putManifest(input: RefInput, bytes: Buffer, mediaType: string): Promise<string> {
    const ref = toRef(input);
    const target = targetOf(ref);
    const res = await this.send(ref, 'pull,push', 'PUT', `manifests/${manifestReference(ref)}`, {
      headers: { 'content-type': mediaType },
      body: bytes,
    });
    if (res.status !== 201 && res.status !== 200) throw await this.failure(res, target, 'PUT manifest');
    await res.body?.cancel();
    const digest = sha256Digest(bytes);
    const served = res.headers.get('docker-content-digest');
    if (served && served !== digest) {
      throw new RegistryError(
        'digest-mismatch',
        target,
        `registry stored the manifest as ${served}, expected ${digest}`,
      );
    }
    return digest;
  }

  // ---------------------------------------------------------------- blobs

  async blobExists(input: RefInput, digest: string): Promise<boolean> {
    const ref = toRef(input);
    const target = targetOf(ref, digest);
    const res = await this.send(ref, 'pull', 'HEAD', `blobs/${digest}`, {});
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await this.failure(res, target, 'HEAD blob');
  }

  /**
   * A blob's bytes as a stream that fails (instead of ending) if the bytes do
   * not hash to the descriptor's digest or exceed / fall short of its size.
   * Redirects (to object storage) are followed; fetch drops the
   * Authorization header when the redirect leaves the registry's origin.
   */
  async openBlob(input: RefInput, descriptor: Pick<Descriptor, 'digest' | 'size'>): Promise<Readable> {
    const ref = toRef(input);
    const target = targetOf(ref, descriptor.digest);
    if (!descriptor.digest.startsWith('sha256:')) {
      throw new RegistryError(
        'unsupported',
        target,
        `digest algorithm of ${descriptor.digest} is not supported`,
      );
    }
    const res = await this.send(ref, 'pull', 'GET', `blobs/${descriptor.digest}`, {});
    if (res.status === 404) throw await this.failure(res, target, 'GET blob (blob unknown)', 'not-found');
    if (res.status !== 200) throw await this.failure(res, target, 'GET blob');
    if (!res.body) throw new RegistryError('protocol', target, 'GET blob returned no body');
    return Readable.from(verifyStream(res.body as WebReadableStream<Uint8Array>, descriptor, target), {
      objectMode: false,
    });
  }

  /** A small blob (an image config) read fully and verified. */
  async getBlob(input: RefInput, descriptor: Pick<Descriptor, 'digest' | 'size'>): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.openBlob(input, descriptor)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** Uploads a blob in one request unless the registry already has it; returns its digest. */
  async pushBlob(input: RefInput, data: Buffer): Promise<string> {
    const ref = toRef(input);
    const digest = sha256Digest(data);
    if (await this.blobExists(ref, digest)) return digest;
    const target = targetOf(ref, digest);
    const start = await this.send(ref, 'pull,push', 'POST', 'blobs/uploads/', {
      headers: { 'content-length': '0' },
    });
    if (start.status !== 202) throw await this.failure(start, target, 'start blob upload');
    await start.body?.cancel();
    const location = start.headers.get('location');
    if (!location) throw new RegistryError('protocol', target, 'blob upload started without a Location');
    const url = new URL(location, this.baseUrl(ref.registry));
    url.searchParams.set('digest', digest);
    const put = await this.send(ref, 'pull,push', 'PUT', url, {
      headers: { 'content-type': 'application/octet-stream' },
      body: data,
    });
    if (put.status !== 201) throw await this.failure(put, target, 'finish blob upload');
    await put.body?.cancel();
    return digest;
  }

  // ------------------------------------------------------------ transport

  private baseUrl(registry: string): string {
    const scheme = this.insecure.has(registry.toLowerCase()) ? 'http' : 'https';
    return `${scheme}://${registryApiHost(registry)}/v2/`;
  }

  /**
   * One request with authentication: uses what the registry asked for last
   * time, and on a 401 answers the challenge once. A second 401 is an auth
   * error (bad credentials or no access), never "absent".
   */
  private async send(
    ref: ImageReference,
    actions: Actions,
    method: string,
    path: string | URL,
    init: { headers?: Record<string, string>; body?: Buffer },
  ): Promise<Response> {
    const target = targetOf(ref);
    const url =
      typeof path === 'string' ? `${this.baseUrl(ref.registry)}${ref.repository}/${path}` : path.toString();
    const attempt = async (authorization: string | undefined) => {
      const headers: Record<string, string> = { ...init.headers };
      if (authorization) headers.authorization = authorization;
      try {
        return await this.fetchImpl(url, { method, headers, body: init.body, redirect: 'follow' });
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        throw new RegistryError(
          'network',
          target,
          `${method} failed: ${cause?.code ?? cause?.message ?? String(e)}`,
          undefined,
          {
            cause: e,
          },
        );
      }
    };
    let res = await attempt(await this.authorization(ref, actions, false));
    if (res.status !== 401) return res;
    const header = res.headers.get('www-authenticate') ?? '';
    await res.body?.cancel();
    const challenge = chooseChallenge(parseAuthChallenges(header));
    if (!challenge) {
      throw new RegistryError(
        'auth',
        target,
        `${method} refused with 401 and no usable WWW-Authenticate challenge`,
        401,
      );
    }
    this.challenges.set(ref.registry, challenge);
    const authorization = await this.authorization(ref, actions, true);
    if (!authorization) {
      throw new RegistryError(
        'auth',
        target,
        `${method} needs credentials and none are configured for ${ref.registry}`,
        401,
      );
    }
    res = await attempt(authorization);
    if (res.status === 401) {
      await res.body?.cancel();
      throw new RegistryError(
        'auth',
        target,
        `${method} refused: credentials rejected or no access (HTTP 401)`,
        401,
      );
    }
    return res;
  }

  /** The Authorization header for a request, per the last challenge of that registry. */
  private async authorization(
    ref: ImageReference,
    actions: Actions,
    fresh: boolean,
  ): Promise<string | undefined> {
    const challenge = this.challenges.get(ref.registry);
    if (!challenge) return undefined;
    const creds = this.credentials.lookup(ref.registry, ref.repository);
    const basic = creds.find((c): c is Extract<RegistryCredential, { kind: 'basic' }> => c.kind === 'basic');
    if (challenge.scheme === 'basic') {
      return basic
        ? `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`
        : undefined;
    }
    const scope = `repository:${ref.repository}:${actions}`;
    const realm = challenge.params.realm ?? '';
    const service = challenge.params.service ?? '';
    const key = `${realm}\n${service}\n${scope}`;
    const cached = this.tokens.get(key);
    if (cached && !fresh && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
    const token = await this.fetchToken(ref, challenge, scope, creds[0]);
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  private async fetchToken(
    ref: ImageReference,
    challenge: AuthChallenge,
    scope: string,
    cred: RegistryCredential | undefined,
  ): Promise<CachedToken> {
    const target = targetOf(ref);
    const realm = challenge.params.realm;
    if (!realm) throw new RegistryError('auth', target, 'Bearer challenge without a realm');
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw new RegistryError('auth', target, 'Bearer challenge with an invalid realm URL');
    }
    const service = challenge.params.service;
    let res: Response;
    try {
      if (cred?.kind === 'identityToken') {
        const form = new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: cred.token,
          client_id: 'stapel-operator',
          scope,
        });
        if (service) form.set('service', service);
        res = await this.fetchImpl(realmUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        });
      } else {
        if (service) realmUrl.searchParams.set('service', service);
        realmUrl.searchParams.append('scope', scope);
        const headers: Record<string, string> = {};
        if (cred?.kind === 'basic') {
          headers.authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
        }
        res = await this.fetchImpl(realmUrl, { headers });
      }
    } catch (e) {
      throw new RegistryError('network', target, `token request to ${realmUrl.origin} failed`, undefined, {
        cause: e,
      });
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new RegistryError(
        'auth',
        target,
        `token server ${realmUrl.origin} refused (HTTP ${res.status})`,
        res.status,
      );
    }
    const body = (await res.json().catch(() => ({}))) as {
      token?: string;
      access_token?: string;
      expires_in?: number;
      issued_at?: string;
    };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError('auth', target, `token server ${realmUrl.origin} returned no token`);
    const issued = body.issued_at ? Date.parse(body.issued_at) : Number.NaN;
    const lifetime =
      (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60) * 1000;
    // Renew a little early so a token never expires in flight.
    const expiresAt =
      (Number.isNaN(issued) ? Date.now() : Math.min(issued, Date.now())) +
      lifetime -
      Math.min(10_000, lifetime / 2);
    return { token, expiresAt };
  }

  private parseJson<T>(bytes: Buffer, target: RegistryErrorTarget): T {
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch {
      throw new RegistryError('protocol', target, 'manifest is not valid JSON');
    }
  }

  private async failure(
    res: Response,
    target: RegistryErrorTarget,
    what: string,
    kind?: RegistryError['kind'],
  ): Promise<RegistryError> {
    const body = await res.text().catch(() => '');
    const detail = describeErrorBody(body);
    const k = kind ?? (res.status === 429 ? 'rate-limited' : res.status === 403 ? 'auth' : 'protocol');
    return new RegistryError(
      k,
      target,
      `${what}: HTTP ${res.status}${detail ? ` ${detail}` : ''}`,
      res.status,
    );
  }
}

/** Prefers Bearer (scoped tokens) over Basic when a registry offers both. */
function chooseChallenge(challenges: AuthChallenge[]): AuthChallenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}

async function* verifyStream(
  body: WebReadableStream<Uint8Array>,
  descriptor: Pick<Descriptor, 'digest' | 'size'>,
  target: RegistryErrorTarget,
): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > descriptor.size) {
      throw new RegistryError(
        'size-mismatch',
        target,
        `blob is larger than the ${descriptor.size} bytes its descriptor says`,
      );
    }
    hash.update(chunk);
    yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  if (size !== descriptor.size) {
    throw new RegistryError(
      'size-mismatch',
      target,
      `blob has ${size} bytes, its descriptor says ${descriptor.size}`,
    );
  }
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== descriptor.digest) {
    throw new RegistryError(
      'digest-mismatch',
      target,
      `blob hashes to ${actual}, expected ${descriptor.digest}`,
    );
  }
}
