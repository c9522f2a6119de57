import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parsePrepareArgs, parsePrepareSpec } from '../../../src/cli/prepare.js';
import { copyForm, importCopy, sourceOwnership, withImportCopyForms } from '../../../src/plan/import-copy.js';
import type { PrepareImport } from '../../../src/plan/prepare-spec.js';
import { prepareSpecFor, type StageRecipe } from '../../../src/plan/recipe.js';
import { readSubtrees } from '../../../src/registry/image-subtree.js';
import { applyLayer, type DirNode, newDir, resolveInImage } from '../../../src/registry/image-tree.js';
import { checksumEntries } from '../../../src/registry/imports.js';
import { readLayer } from '../../../src/registry/layer-reader.js';
import { validateImport } from '../../../src/registry/prepare-imports.js';
import { selectSubtree } from '../../../src/registry/subtree-select.js';
import { writeEntries } from '../../../src/registry/write-entries.js';
import { createPathFilter } from '../../../src/werf/paths.js';
import { gzipLayer, type LayerSpecEntry, layerTar } from '../../support/oci-layers.js';

const imp = (over: Partial<PrepareImport>): PrepareImport => ({
  dir: 'imports/0',
  path: 'imports/0/o',
  sourceRef: 'r/x@sha256:' + '0'.repeat(64),
  sourceImage: 'src',
  sourceStage: 'install',
  add: '/o',
  to: '/app',
  owner: '',
  group: '',
  includePaths: [],
  excludePaths: [],
  ...over,
});

async function tree(layers: LayerSpecEntry[][]): Promise<DirNode> {
  const root = newDir();
  for (const [i, l] of layers.entries()) {
    const changes = await readLayer(Readable.from([await gzipLayer(l)]), i, {
      label: `L${i}`,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      wantContent: () => false,
      onContent: async () => {},
    });
    applyLayer(root, changes, `L${i}`);
  }
  return root;
}

describe('importCopy: where prepare puts an import and how COPY takes it (werf §5.1)', () => {
  it('directory add: placed as basename(to), copied into dirname(to) so COPY --chown owns `to` itself', () => {
    expect(importCopy({ dir: 'imports/0', add: '/o', to: '/srv/app' }, 'directory')).toEqual({
      path: 'imports/0/app',
      copyFrom: 'imports/0/',
      copyTo: '/srv/',
    });
    expect(importCopy({ dir: 'imports/1/', add: '/o', to: '/app' }, 'directory')).toMatchObject({
      copyTo: '/',
    });
    expect(importCopy({ dir: 'imports/2', add: '/', to: '/' }, 'directory')).toEqual({
      path: 'imports/2/root',
      copyFrom: 'imports/2/root',
      copyTo: '/',
    });
  });
  it('file or symlink add: placed under its own name and copied to `to` (into it when it is a directory)', () => {
    expect(importCopy({ dir: 'imports/0', add: '/usr/bin/tool', to: '/opt/new' }, 'file')).toEqual({
      path: 'imports/0/tool',
      copyFrom: 'imports/0/tool',
      copyTo: '/opt/new',
    });
    expect(importCopy({ dir: 'imports/0', add: '/l', to: '/x' }, 'file').path).toBe('imports/0/l');
  });
  it('copyForm: the directory form only for a directory with owner or group whose `to` is not a symlink in the base', () => {
    const owned = { owner: 'app', group: '' };
    expect(copyForm('directory', owned, false)).toBe('directory');
    expect(copyForm('directory', { owner: '', group: '1001' }, false)).toBe('directory');
    expect(copyForm('directory', { owner: '', group: '' }, false)).toBe('file');
    expect(copyForm('directory', owned, true)).toBe('file');
    for (const kind of ['file', 'symlink', 'other'] as const)
      expect(copyForm(kind, owned, false)).toBe('file');
  });
});

describe('withImportCopyForms: prepare switches directory imports to the directory COPY form', () => {
  // The spec as the planner writes it (file form for every import).
  const recipeImport = (i: number, add: string, to: string, owner: string, group: string) => ({
    dir: `imports/${i}`,
    path: `imports/${i}/${add.split('/').pop()}`,
    source: { kind: 'external' as const, ref: 'registry.test/src:v1' },
    add,
    to,
    owner,
    group,
    includePaths: [],
    excludePaths: [],
    checksum: 'c',
  });
  const recipe: StageRecipe = {
    base: { kind: 'external', ref: 'alpine:3.20' },
    imports: [
      recipeImport(0, '/src', '/srv/app', 'app', 'app'),
      recipeImport(1, '/usr/bin/tool', '/opt/bin', '', ''),
      recipeImport(2, '/data', '/data', '1001', ''),
    ],
    git: [],
    env: [],
    run: { commands: ['true'], mountTargets: [] },
    instructions: [],
    labels: [],
  };
  const spec = prepareSpecFor({
    image: 'x',
    stage: 'dependenciesBeforeInstall',
    digest: 'd',
    recipe,
    lookup: { repository: 'registry.test/stages', stageImage: () => undefined },
    insecureRegistries: [],
  });
  if (!spec) throw new Error('no spec');

  it('rewrites only the lines of imports in the directory form, keeping owner and group', () => {
    const out = withImportCopyForms(spec.dockerfile, spec.imports, ['directory', 'file', 'directory']);
    expect(out.split('\n').slice(0, 4)).toEqual([
      'FROM alpine:3.20',
      'COPY --chown=app:app ["imports/0/","/srv/"]',
      'COPY ["imports/1/tool","/opt/bin"]',
      'COPY --chown=1001 ["imports/2/","/"]',
    ]);
    expect(out.split('\n').slice(4)).toEqual(spec.dockerfile.split('\n').slice(4));
  });

  it("gives an import without owner and group the source's ids when prepare found them", () => {
    const out = withImportCopyForms(
      spec.dockerfile,
      spec.imports,
      ['file', 'file', 'file'],
      [undefined, { owner: '1000', group: '1000' }, undefined],
    );
    expect(out.split('\n')[2]).toBe('COPY --chown=1000:1000 ["imports/1/tool","/opt/bin"]');
    expect(out.split('\n').filter((_, n) => n !== 2)).toEqual(
      spec.dockerfile.split('\n').filter((_, n) => n !== 2),
    );
  });

  it('leaves the Dockerfile as planned when every import takes the file form', () => {
    expect(withImportCopyForms(spec.dockerfile, spec.imports, ['file', 'file', 'file'])).toBe(
      spec.dockerfile,
    );
  });

  it('refuses a spec whose Dockerfile lacks the planned COPY line', () => {
    const edited = spec.dockerfile.replace('imports/0/src', 'imports/0/other');
    expect(() => withImportCopyForms(edited, spec.imports, ['directory', 'file', 'file'])).toThrow(
      'import 0: the Dockerfile has 0 lines "COPY --chown=app:app [\\"imports/0/src\\",\\"/srv/app\\"]", expected exactly one',
    );
  });
});

describe('validateImport: refused before anything is read', () => {
  it.each([
    [{ to: '/opt/bin/' }, 'to must not end with "/" (write /opt/bin)'],
    [{ add: '/', includePaths: [] }, 'add: / needs includePaths'],
    [{ add: 'o' }, 'add must be an absolute path'],
    [{ to: 'app' }, 'to must be an absolute path'],
    [{ dir: '../escape' }, 'dir: "../escape" must be a relative path inside the workspace'],
    [{ path: 'imports/1/o' }, 'path "imports/1/o" is not inside dir "imports/0"'],
    [{ path: '/abs' }, 'path: "/abs" must be a relative path inside the workspace'],
    [{ includePaths: ['{a,'] }, 'invalid glob "{a,"'],
  ] as Array<[Partial<PrepareImport>, string]>)('%j', (over, msg) => {
    expect(() => validateImport(imp(over), 3)).toThrow(msg);
    expect(() => validateImport(imp(over), 3)).toThrow('import 3 (image "src", stage install');
  });
  it('accepts `to: /` and add / with includePaths', () => {
    expect(() =>
      validateImport(imp({ add: '/', to: '/', path: 'imports/0/root', includePaths: ['version.json'] }), 0),
    ).not.toThrow();
  });
});

describe('selectSubtree', () => {
  it('lists parents of selected files, prunes excluded directories, and keeps selected empty directories', async () => {
    const root = await tree([
      [
        { type: 'file', path: 'o/a.txt', content: '' },
        { type: 'file', path: 'o/b.jar', content: '' },
        { type: 'file', path: 'o/d/e.jar', content: '' },
        { type: 'file', path: 'o/d/c.txt', content: '' },
        { type: 'dir', path: 'o/x.jar' },
        { type: 'file', path: 'o/skip/f.jar', content: '' },
        { type: 'dir', path: 'o/none' },
      ],
    ]);
    const add = resolveInImage(root, '/o');
    if (!add.found) throw new Error('not found');
    const filter = createPathFilter({ includePaths: ['**/*.jar'], excludePaths: ['skip'] });
    expect(
      selectSubtree(add.node, filter).map((e) => `${e.relPath}${e.selected ? '' : ' (parent)'}`),
    ).toEqual(['', 'b.jar', 'd (parent)', 'd/e.jar', 'x.jar']);
  });
});

describe('resolveInImage: symlinks in the parents of add stay inside the image', () => {
  it('follows absolute and relative parent links from the image root, never the final component', async () => {
    const root = await tree([
      [
        { type: 'file', path: 'real/dir/f', content: 'x' },
        { type: 'symlink', path: 'abs', target: '/real' },
        { type: 'symlink', path: 'rel', target: 'real/dir' },
        { type: 'symlink', path: 'up', target: '../../../../real' },
        { type: 'symlink', path: 'real/dir/l', target: '/etc/passwd' },
        { type: 'symlink', path: 'loop', target: 'loop' },
      ],
    ]);
    expect(resolveInImage(root, '/abs/dir/f')).toMatchObject({ found: true, path: '/real/dir/f' });
    expect(resolveInImage(root, '/rel/f')).toMatchObject({ found: true, path: '/real/dir/f' });
    expect(resolveInImage(root, '/up/dir')).toMatchObject({ found: true, path: '/real/dir' });
    expect(resolveInImage(root, '/abs/dir/l')).toMatchObject({
      found: true,
      path: '/real/dir/l',
      node: { type: 'symlink' },
    });
    expect(resolveInImage(root, '/abs')).toMatchObject({ found: true, node: { type: 'symlink' } });
    expect(resolveInImage(root, '/loop/x')).toMatchObject({
      found: false,
      reason: 'too many levels of symbolic links',
    });
    expect(resolveInImage(root, '/real/dir/f/g')).toMatchObject({
      found: false,
      reason: '/real/dir/f is not a directory',
    });
  });
});

describe('readLayer refusals', () => {
  const opts = {
    label: 'sha256:abc',
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    wantContent: () => false,
    onContent: async () => {},
  };
  it('refuses entries escaping the root with ..', async () => {
    const tar = await layerTar([{ type: 'file', path: 'a/../../etc/x', content: '' }]);
    await expect(readLayer(Readable.from([tar]), 0, opts)).rejects.toThrow(
      'layer sha256:abc: entry "a/../../etc/x" contains ".."',
    );
  });
  it('refuses zstd layers with a clear reason, detected by magic bytes even when mislabelled', async () => {
    const zstdFrame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
    await expect(readLayer(Readable.from([zstdFrame]), 0, opts)).rejects.toThrow(
      /zstd-compressed layers are not supported/,
    );
  });
  it('reads an uncompressed tar even when labelled gzip', async () => {
    const tar = await layerTar([{ type: 'file', path: 'x', content: 'y' }]);
    const changes = await readLayer(Readable.from([tar]), 0, {
      ...opts,
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    });
    expect(changes.entries.map((e) => e.path)).toEqual(['x']);
  });
  it('reports a corrupt gzip stream as a layer error', async () => {
    const gz = await gzipLayer([{ type: 'file', path: 'x', content: 'y'.repeat(1000) }]);
    const broken = Buffer.concat([gz.subarray(0, 30), Buffer.alloc(50, 7)]);
    await expect(readLayer(Readable.from([broken]), 0, opts)).rejects.toThrow(
      /layer sha256:abc: cannot read \(gzip\)/,
    );
  });
});

describe('prepare command line and spec', () => {
  it('parses the flags', () => {
    expect(parsePrepareArgs(['--workspace', '/w', '--spec', 's.json'])).toEqual({
      workspace: '/w',
      spec: { file: 's.json' },
    });
    expect(parsePrepareArgs(['--workspace=/w', '--spec-env=STAPEL_PREPARE_SPEC'])).toEqual({
      workspace: '/w',
      spec: { env: 'STAPEL_PREPARE_SPEC' },
    });
    expect(parsePrepareArgs(['--spec', 's'])).toBe('missing --workspace DIR');
    expect(parsePrepareArgs(['--workspace', '/w'])).toBe('missing --spec FILE or --spec-env VAR');
    expect(parsePrepareArgs(['--workspace'])).toBe('--workspace needs a value');
    expect(parsePrepareArgs(['--bogus'])).toBe('unknown argument "--bogus"');
  });
  it('names the source and the field of an invalid spec', () => {
    expect(() => parsePrepareSpec('{', 'env STAPEL_PREPARE_SPEC')).toThrow(
      'env STAPEL_PREPARE_SPEC: not valid JSON',
    );
    expect(() =>
      parsePrepareSpec(JSON.stringify({ apiVersion: 'stapel.dev/prepare/v1', image: 'x' }), 'spec.json'),
    ).toThrow(/spec.json: invalid prepare spec:\n {2}stage: /);
  });
});

describe('special entries through readSubtrees and writeEntries', () => {
  const blob = async (entries: LayerSpecEntry[]) => ({
    label: 'sha256:l0',
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    open: async () => Readable.from([await gzipLayer(entries)]),
  });
  const everything = createPathFilter({ includePaths: [], excludePaths: [] });

  it('hashes a FIFO for the checksum but does not write it, and says so', async () => {
    const spill = mkdtempSync(join(tmpdir(), 'special-'));
    try {
      const { results, store } = await readSubtrees(
        [
          await blob([
            { type: 'file', path: 'o/a', content: 'A' },
            { type: 'fifo', path: 'o/pipe' },
          ]),
        ],
        [{ add: '/o', filter: everything }],
        join(spill, 'spill'),
      );
      const r = results[0];
      if (!r?.found) throw new Error('not found');
      expect(checksumEntries(r.entries, store).map((e) => [e.relPath, e.type])).toEqual([
        ['a', 'file'],
        ['pipe', 'other'],
      ]);
      const summary = writeEntries(r.entries, store, join(spill, 'out'));
      expect(summary).toMatchObject({ files: 1, skipped: ['pipe (fifo)'] });
      expect(readdirSync(join(spill, 'out'))).toEqual(['a']);
    } finally {
      rmSync(spill, { recursive: true, force: true });
    }
  });

  it('refuses a hard link to a path that does not exist, naming both paths and the layer', async () => {
    await expect(
      readSubtrees(
        [await blob([{ type: 'hardlink', path: 'o/h', target: 'nowhere' }])],
        [{ add: '/o', filter: everything }],
      ),
    ).rejects.toThrow('layer sha256:l0: hard link /o/h points to /nowhere, which does not exist');
  });

  it('keeps hard links inside the subtree as hard links in the workspace', async () => {
    const spill = mkdtempSync(join(tmpdir(), 'hardlink-'));
    try {
      const { results, store } = await readSubtrees(
        [
          await blob([
            { type: 'file', path: 'o/a', content: 'A' },
            { type: 'hardlink', path: 'o/b', target: 'o/a' },
          ]),
        ],
        [{ add: '/o', filter: everything }],
        join(spill, 'spill'),
      );
      const r = results[0];
      if (!r?.found) throw new Error('not found');
      writeEntries(r.entries, store, join(spill, 'out'));
      expect(statSync(join(spill, 'out/a')).ino).toBe(statSync(join(spill, 'out/b')).ino);
    } finally {
      rmSync(spill, { recursive: true, force: true });
    }
  });
});

describe('sourceOwnership: what an import without owner and group keeps of the source ids', () => {
  it('keeps ids all entries share, leaves root to COPY, and calls disagreement mixed', () => {
    expect(
      sourceOwnership([
        { uid: 1000, gid: 1001 },
        { uid: 1000, gid: 1001 },
      ]),
    ).toEqual({
      owner: '1000',
      group: '1001',
    });
    expect(sourceOwnership([{ uid: 0, gid: 0 }])).toBeUndefined();
    expect(sourceOwnership([])).toBeUndefined();
    expect(
      sourceOwnership([
        { uid: 1000, gid: 1000 },
        { uid: 0, gid: 0 },
      ]),
    ).toBe('mixed');
    expect(
      sourceOwnership([
        { uid: 1000, gid: 1000 },
        { uid: 1000, gid: 50 },
      ]),
    ).toBe('mixed');
  });
});
