// `prepare` extracts imports from a three-layer image with deletions, opaque
// directories, symlinks, hard links and replaced entries; the files it writes
// must equal what buildah sees when it mounts the same image.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PrepareImport, PrepareSpec } from '../../../src/plan/prepare-spec.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { importChecksumFromRegistry } from '../../../src/registry/imports.js';
import { type Buildah, createBuildah } from '../../support/buildah.js';
import { snapshot } from '../../support/fs-snapshot.js';
import type { LayerSpecEntry } from '../../support/oci-layers.js';
import { type PushedImage, pushImage } from '../../support/push-image.js';

const exec = promisify(execFile);
const registry = inject('registry');
const client = new RegistryClient({ insecureRegistries: [registry] });
const longName = `${'n'.repeat(120)}.txt`;

const layers: LayerSpecEntry[][] = [
  [
    { type: 'dir', path: 'app' },
    { type: 'file', path: 'app/keep.txt', content: 'keep\n' },
    { type: 'file', path: 'app/replace.txt', content: 'old\n' },
    { type: 'file', path: 'app/gone.txt', content: 'gone\n' },
    { type: 'dir', path: 'app/gone-dir' },
    { type: 'file', path: 'app/gone-dir/x', content: 'x' },
    { type: 'dir', path: 'app/opaque' },
    { type: 'file', path: 'app/opaque/old1', content: 'o1' },
    { type: 'dir', path: 'app/opaque/sub' },
    { type: 'file', path: 'app/opaque/sub/old2', content: 'o2' },
    { type: 'dir', path: 'app/becomes-file' },
    { type: 'file', path: 'app/becomes-file/inner', content: 'inner' },
    { type: 'file', path: 'app/becomes-dir', content: 'f' },
    { type: 'file', path: 'app/hard.txt', content: 'hard content\n' },
    { type: 'hardlink', path: 'app/hard-link', target: 'app/hard.txt' },
    { type: 'dir', path: 'etc' },
    { type: 'file', path: 'etc/outside.txt', content: 'outside\n' },
    { type: 'file', path: 'app/script.sh', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
    { type: 'file', path: 'app/secret', content: 's', mode: 0o600 },
    { type: 'dir', path: 'app/long' },
    { type: 'file', path: `app/long/${longName}`, content: 'long name' },
  ],
  [
    { type: 'whiteout', path: 'app/gone.txt' },
    { type: 'whiteout', path: 'app/gone-dir' },
    // New children listed before the opaque marker: the marker still only hides lower layers.
    { type: 'file', path: 'app/opaque/new1', content: 'n1' },
    { type: 'opaque', dir: 'app/opaque' },
    { type: 'file', path: 'app/replace.txt', content: 'new\n', mode: 0o755 },
    { type: 'symlink', path: 'app/rel-link', target: 'keep.txt' },
    { type: 'symlink', path: 'app/abs-link', target: '/app/keep.txt' },
    { type: 'symlink', path: 'app/dangling', target: '/nowhere' },
    { type: 'file', path: 'app/becomes-file', content: 'now a file\n' },
    { type: 'dir', path: 'app/becomes-dir', mode: 0o750 },
    { type: 'file', path: 'app/becomes-dir/child', content: 'c' },
    { type: 'hardlink', path: 'app/hl-outside', target: 'etc/outside.txt' },
  ],
  [
    { type: 'symlink', path: 'srv', target: '/app' },
    { type: 'dir', path: 'app/empty', mode: 0o700 },
    { type: 'whiteout', path: 'app/opaque/sub' },
    { type: 'file', path: 'app/gone.txt', content: 'back again\n' },
    { type: 'dir', path: 'app/opaque', mode: 0o711 },
  ],
];

let image: PushedImage;
let buildah: Buildah;
let mounted: string;
const work = mkdtempSync(join(tmpdir(), 'prepare-test-'));

beforeAll(async () => {
  image = await pushImage(client, `${registry}/imports/three-layers:v1`, layers);
  buildah = createBuildah();
  mounted = await buildah.mountImage(image.ref);
});
afterAll(async () => {
  await buildah?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

function imp(dir: string, add: string, extra: Partial<PrepareImport> = {}): PrepareImport {
  return {
    dir,
    path: `${dir}/${add.split('/').filter(Boolean).pop()}`,
    sourceRef: image.ref,
    sourceImage: 'src',
    sourceStage: 'install',
    add,
    to: add,
    owner: '',
    group: '',
    includePaths: [],
    excludePaths: [],
    ...extra,
  };
}

async function runPrepare(name: string, imports: PrepareImport[]) {
  const workspace = join(work, name);
  const specFile = join(work, `${name}.json`);
  const spec: PrepareSpec = {
    apiVersion: 'stapel.dev/prepare/v1',
    image: 'dst',
    stage: 'dependenciesAfterInstall',
    digest: 'd'.repeat(56),
    dockerfile: `FROM ${image.ref}\n`,
    imports,
    git: [],
    insecureRegistries: [registry],
  };
  writeFileSync(specFile, JSON.stringify(spec));
  const result = await exec(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'prepare', '--workspace', workspace, '--spec', specFile],
    { env: { ...process.env, DOCKER_CONFIG: join(work, 'no-docker-config') } },
  ).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  return { workspace, ...result };
}

describe('prepare against the loopback registry, compared with buildah', () => {
  it('writes the /app subtree exactly as buildah sees it mounted', async () => {
    const r = await runPrepare('whole', [imp('imports/0', '/app')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ours = snapshot(join(r.workspace, 'imports/0/app'));
    const theirs = snapshot(join(mounted, 'app'));
    expect(ours).toEqual(theirs);
    // The cases the image was built for, spelled out.
    expect(ours['gone-dir']).toBeUndefined();
    expect(ours['gone.txt']).toEqual({ type: 'file', mode: '644', content: 'back again\n' });
    expect(Object.keys(ours).filter((k) => k.startsWith('opaque'))).toEqual(['opaque', 'opaque/new1']);
    expect(ours.opaque).toEqual({ type: 'dir', mode: '711' });
    expect(ours['replace.txt']).toEqual({ type: 'file', mode: '755', content: 'new\n' });
    expect(ours['becomes-file']).toMatchObject({ type: 'file', content: 'now a file\n' });
    expect(ours['becomes-dir/child']).toMatchObject({ content: 'c' });
    expect(ours['abs-link']).toEqual({ type: 'symlink', target: '/app/keep.txt' });
    expect(ours['hl-outside']).toMatchObject({ content: 'outside\n' });
    expect(ours[`long/${longName}`]).toMatchObject({ content: 'long name' });
    expect(ours.empty).toEqual({ type: 'dir', mode: '700' });
    expect(r.stdout).toMatch(
      /import 0 from image "src" stage install: \/app \(directory, file form\) -> imports\/0\/app \(\d+ files/,
    );
  });

  it('resolves a symlink in the parents of add inside the image, and keeps file and symlink adds as they are', async () => {
    const r = await runPrepare('parents', [
      imp('imports/0', '/srv/opaque', { to: '/o' }),
      imp('imports/1', '/app/replace.txt'),
      imp('imports/2', '/app/rel-link'),
    ]);
    expect(r.stderr).toBe('');
    expect(snapshot(join(r.workspace, 'imports/0/opaque'))).toEqual(snapshot(join(mounted, 'app/opaque')));
    expect(snapshot(join(r.workspace, 'imports/1/replace.txt'))).toEqual(
      snapshot(join(mounted, 'app/replace.txt')),
    );
    expect(snapshot(join(r.workspace, 'imports/2/rel-link'))).toEqual({
      '.': { type: 'symlink', target: 'keep.txt' },
    });
    expect(readFileSync(join(r.workspace, 'Dockerfile'), 'utf8')).toBe(`FROM ${image.ref}\n`);
  });

  it('checks the expected checksum and fails clearly when the source files differ', async () => {
    const sum = await importChecksumFromRegistry(client, image.ref, {
      add: '/app',
      includePaths: [],
      excludePaths: [],
    });
    const ok = await runPrepare('checksum-ok', [imp('imports/0', '/app', { expectedChecksum: sum })]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`checksum ${sum}`);
    const bad = await runPrepare('checksum-bad', [
      imp('imports/0', '/app', { expectedChecksum: 'f'.repeat(32) }),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `import 0 (image "src", stage install, add /app, to /app): the source files changed since planning (import checksum ${sum}, the plan expected ${'f'.repeat(32)})`,
    );
  });

  it('fails on a missing add, naming the image and the path', async () => {
    const r = await runPrepare('missing', [imp('imports/0', '/app/no-such-dir')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('image "src" stage install');
    expect(r.stderr).toContain('add path /app/no-such-dir not found in the image');
    const r2 = await runPrepare('missing-2', [imp('imports/0', '/app/keep.txt/below')]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('/app/keep.txt is not a directory');
  });
});
