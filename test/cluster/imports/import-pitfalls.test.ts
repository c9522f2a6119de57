// werf pitfalls 1, 4, 13, 14 and 17 (shared/docs/werf-pitfalls.md) and the
// directory-merge rule of werf-stapel.md §5.1, end to end: `prepare` fills
// the workspace from a source image in the loopback registry, buildah builds
// the stage with COPY lines of the planner's form, and the built image is
// inspected.
import { execFile } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workspaceEntryName } from '../../../src/plan/import-copy.js';
import type { PrepareSpec } from '../../../src/plan/prepare-spec.js';
import { prepareSpecFor, type StageRecipe } from '../../../src/plan/recipe.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { type Buildah, createBuildah } from '../../support/buildah.js';
import { type PushedImage, pushImage } from '../../support/push-image.js';

const exec = promisify(execFile);
const registry = inject('registry');
const client = new RegistryClient({ insecureRegistries: [registry] });
const work = mkdtempSync(join(tmpdir(), 'pitfalls-'));

let source: PushedImage;
let base: PushedImage;
let buildah: Buildah;

beforeAll(async () => {
  source = await pushImage(client, `${registry}/pitfalls/src:v1`, [
    [
      { type: 'file', path: 'o/a.txt', content: 'a' },
      { type: 'file', path: 'o/b.jar', content: 'b' },
      { type: 'file', path: 'o/d/c.txt', content: 'c' },
      { type: 'file', path: 'o/d/e.jar', content: 'e' },
      { type: 'dir', path: 'o/empty' },
      { type: 'file', path: 'f', content: 'hi\n' },
      { type: 'file', path: 'version.json', content: '1\n' },
      { type: 'file', path: 'src/main.go', content: 'package main\n' },
      { type: 'file', path: 'src/pkg/lib.go', content: 'package pkg\n' },
      { type: 'file', path: 'data/new.txt', content: 'new\n' },
      { type: 'file', path: 'data/same.txt', content: 'from import\n' },
      { type: 'file', path: 'tool', content: 'x\n', mode: 0o755 },
      { type: 'dir', path: 'dmode', mode: 0o750 },
      { type: 'file', path: 'dmode/inner.txt', content: 'inner\n', mode: 0o640 },
      { type: 'dir', path: 'dmode/sub', mode: 0o700 },
      { type: 'file', path: 'dmode/sub/deep.txt', content: 'deep\n', mode: 0o600 },
      { type: 'dir', path: 'owned', uid: 1000, gid: 1000 },
      { type: 'file', path: 'owned/app.txt', content: 'app\n', uid: 1000, gid: 1000 },
      { type: 'dir', path: 'owned/sub', uid: 1000, gid: 1000 },
      { type: 'file', path: 'owned/sub/x.txt', content: 'x\n', uid: 1000, gid: 1000 },
      { type: 'dir', path: 'mixed' },
      { type: 'file', path: 'mixed/user.txt', content: 'u\n', uid: 1000, gid: 1000 },
      { type: 'file', path: 'mixed/root.txt', content: 'r\n' },
    ],
  ]);
  base = await pushImage(client, `${registry}/pitfalls/base:v1`, [
    [
      {
        type: 'file',
        path: 'etc/passwd',
        content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1001:1001::/home/app:/bin/sh\n',
      },
      { type: 'file', path: 'etc/group', content: 'root:x:0:\napp:x:1001:\n' },
      { type: 'dir', path: 'opt/exists' },
      { type: 'dir', path: 'srv/existing-app' },
      { type: 'dir', path: 'srv/keep', mode: 0o755 },
      { type: 'file', path: 'srv/keep/old.txt', content: 'old\n', mode: 0o644 },
      { type: 'file', path: 'srv/keep/inner.txt', content: 'base inner\n', mode: 0o644 },
      { type: 'dir', path: 'srv/linked-target', mode: 0o755 },
      { type: 'file', path: 'srv/linked-target/old.txt', content: 'old\n' },
      { type: 'symlink', path: 'srv/link', target: 'linked-target' },
      { type: 'dir', path: 'opt/filedst', mode: 0o755 },
      { type: 'file', path: 'opt/filedst/old.txt', content: 'old\n', mode: 0o644 },
      { type: 'file', path: 'usr/share/existing/keep.txt', content: 'base file\n' },
      { type: 'file', path: 'usr/share/existing/same.txt', content: 'from base\n' },
    ],
  ]);
  buildah = createBuildah();
}, 300_000);

afterAll(async () => {
  await buildah?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

interface ImportCase {
  add: string;
  to: string;
  includePaths?: string[];
  excludePaths?: string[];
  owner?: string;
  group?: string;
}

/**
 * Runs `prepare` on the spec the planner writes for these imports
 * (prepareSpecFor: the file-form COPY lines; prepare picks each form from
 * what `add` is in the source image).
 */
async function prepareWorkspace(name: string, cases: ImportCase[]) {
  const workspace = join(work, name);
  const recipe: StageRecipe = {
    base: { kind: 'external', ref: base.ref },
    imports: cases.map((c, i) => ({
      dir: `imports/${i}`,
      path: `imports/${i}/${workspaceEntryName(c.add)}`,
      source: { kind: 'stage', image: 'src', stage: 'install', digest: 'src-install', contentDigest: 'c' },
      add: c.add,
      to: c.to,
      owner: c.owner ?? '',
      group: c.group ?? '',
      includePaths: c.includePaths ?? [],
      excludePaths: c.excludePaths ?? [],
      checksum: '',
    })),
    git: [],
    env: [],
    instructions: [],
    labels: [],
  };
  const planned = prepareSpecFor({
    image: 'dst',
    stage: 'dependenciesAfterInstall',
    digest: 'a'.repeat(56),
    recipe,
    // The source "stage image" is the pushed source image; the base is external.
    lookup: {
      repository: `${registry}/pitfalls/src`,
      stageImage: (digest) => (digest === 'src-install' ? { manifestDigest: source.digest } : undefined),
    },
    insecureRegistries: [registry],
  });
  if (!planned) throw new Error('prepareSpecFor: no spec');
  // The checksum is the plan's business (tested elsewhere); here it is not checked.
  const spec: PrepareSpec = {
    ...planned,
    imports: planned.imports.map(({ expectedChecksum: _, ...imp }) => imp),
  };
  const specFile = join(work, `${name}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  return exec(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'prepare', '--workspace', workspace, '--spec', specFile],
    {
      env: { ...process.env, DOCKER_CONFIG: join(work, 'none') },
    },
  ).then(
    (r) => ({ code: 0, workspace, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ ...e, workspace }),
  );
}

/** prepare + buildah build; returns the built image's mounted root. */
async function buildWithImports(name: string, cases: ImportCase[]): Promise<string> {
  const prepared = await prepareWorkspace(name, cases);
  expect(prepared.stderr).toBe('');
  const tag = `localhost/pitfalls-${name}:latest`;
  await buildah([
    'build',
    '--tls-verify=false',
    '--isolation',
    'chroot',
    '-f',
    join(prepared.workspace, 'Dockerfile'),
    '-t',
    tag,
    prepared.workspace,
  ]);
  return buildah.mountImage(tag);
}

function files(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      out.push(lstatSync(join(root, dir, r)).isDirectory() ? `${r}/` : r);
      if (lstatSync(join(root, dir, r)).isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

describe('import pitfalls through prepare and a buildah build', () => {
  it('pitfall 1 (#4176): includePaths **/*.jar imports only the jars, creating d/ as their parent', async () => {
    const root = await buildWithImports('p1', [{ add: '/o', to: '/app', includePaths: ['**/*.jar'] }]);
    expect(files(root, 'app')).toEqual(['b.jar', 'd/', 'd/e.jar']);
  });

  it('pitfall 4 (#2192): a file goes into an existing directory, or becomes the new path', async () => {
    const root = await buildWithImports('p4', [
      { add: '/f', to: '/opt/exists' },
      { add: '/f', to: '/opt/new' },
    ]);
    expect(readFileSync(join(root, 'opt/exists/f'), 'utf8')).toBe('hi\n');
    expect(statSync(join(root, 'opt/new')).isFile()).toBe(true);
    expect(readFileSync(join(root, 'opt/new'), 'utf8')).toBe('hi\n');
  });

  it('pitfall 13 (PR #6906): add / with includePaths imports just that file; without includePaths prepare refuses', async () => {
    const root = await buildWithImports('p13', [{ add: '/', to: '/', includePaths: ['version.json'] }]);
    expect(readFileSync(join(root, 'version.json'), 'utf8')).toBe('1\n');
    expect(existsSync(join(root, 'f'))).toBe(false);
    expect(existsSync(join(root, 'src'))).toBe(false);
    const refused = await prepareWorkspace('p13-refused', [{ add: '/', to: '/' }]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('add: / needs includePaths');
  });

  it('pitfall 14 (PR #7462): owner and group apply to the destination directory and everything below', async () => {
    const root = await buildWithImports('p14', [
      { add: '/src', to: '/srv/app', owner: 'app', group: 'app' },
      { add: '/src', to: '/srv/existing-app', owner: 'app', group: 'app' },
    ]);
    for (const p of [
      'srv/app',
      'srv/app/main.go',
      'srv/app/pkg',
      'srv/app/pkg/lib.go',
      'srv/existing-app',
      'srv/existing-app/pkg/lib.go',
    ]) {
      const st = statSync(join(root, p));
      expect({ path: p, uid: st.uid, gid: st.gid }).toEqual({ path: p, uid: 1001, gid: 1001 });
    }
  });

  /** Owner, group and permission bits of each path under the built image's root. */
  const attrs = (root: string, paths: string[]) =>
    paths.map((p) => {
      const st = lstatSync(join(root, p));
      return { path: p, uid: st.uid, gid: st.gid, mode: (st.mode & 0o7777).toString(8) };
    });

  it('pitfall 14, file into an existing directory: the file is owned, the directory and its files stay as they were', async () => {
    const root = await buildWithImports('p14-file', [
      { add: '/tool', to: '/opt/filedst', owner: 'app', group: 'app' },
    ]);
    expect(attrs(root, ['opt/filedst', 'opt/filedst/tool', 'opt/filedst/old.txt'])).toEqual([
      { path: 'opt/filedst', uid: 0, gid: 0, mode: '755' },
      { path: 'opt/filedst/tool', uid: 1001, gid: 1001, mode: '755' },
      { path: 'opt/filedst/old.txt', uid: 0, gid: 0, mode: '644' },
    ]);
    expect(readFileSync(join(root, 'opt/filedst/old.txt'), 'utf8')).toBe('old\n');
  });

  it('pitfall 14, directory into an existing directory: it takes owner, group and the source mode; other files stay', async () => {
    const root = await buildWithImports('p14-dir-existing', [
      { add: '/dmode', to: '/srv/keep', owner: 'app', group: 'app' },
    ]);
    expect(
      attrs(root, [
        'srv',
        'srv/keep',
        'srv/keep/inner.txt',
        'srv/keep/sub',
        'srv/keep/sub/deep.txt',
        'srv/keep/old.txt',
      ]),
    ).toEqual([
      { path: 'srv', uid: 0, gid: 0, mode: '755' },
      { path: 'srv/keep', uid: 1001, gid: 1001, mode: '750' },
      { path: 'srv/keep/inner.txt', uid: 1001, gid: 1001, mode: '640' },
      { path: 'srv/keep/sub', uid: 1001, gid: 1001, mode: '700' },
      { path: 'srv/keep/sub/deep.txt', uid: 1001, gid: 1001, mode: '600' },
      { path: 'srv/keep/old.txt', uid: 0, gid: 0, mode: '644' },
    ]);
    expect(files(root, 'srv/keep')).toEqual(['inner.txt', 'old.txt', 'sub/', 'sub/deep.txt']);
    expect(readFileSync(join(root, 'srv/keep/old.txt'), 'utf8')).toBe('old\n');
    expect(readFileSync(join(root, 'srv/keep/inner.txt'), 'utf8')).toBe('inner\n');
    // Siblings of `to` in its parent are untouched by the parent-folder COPY.
    expect(attrs(root, ['srv/existing-app'])).toEqual([
      { path: 'srv/existing-app', uid: 0, gid: 0, mode: '755' },
    ]);
  });

  it('pitfall 14, directory into a new path: created with owner, group and the source mode', async () => {
    const root = await buildWithImports('p14-dir-new', [
      { add: '/dmode', to: '/new/deep/app', owner: 'app', group: 'app' },
    ]);
    expect(
      attrs(root, [
        'new/deep/app',
        'new/deep/app/inner.txt',
        'new/deep/app/sub',
        'new/deep/app/sub/deep.txt',
      ]),
    ).toEqual([
      { path: 'new/deep/app', uid: 1001, gid: 1001, mode: '750' },
      { path: 'new/deep/app/inner.txt', uid: 1001, gid: 1001, mode: '640' },
      { path: 'new/deep/app/sub', uid: 1001, gid: 1001, mode: '700' },
      { path: 'new/deep/app/sub/deep.txt', uid: 1001, gid: 1001, mode: '600' },
    ]);
    expect(files(root, 'new/deep/app')).toEqual(['inner.txt', 'sub/', 'sub/deep.txt']);
    // Parents that did not exist are created by COPY and, with buildah, owned
    // by the --chown user too (werf-stapel.md does not say what werf does).
    expect(attrs(root, ['new', 'new/deep'])).toEqual([
      { path: 'new', uid: 1001, gid: 1001, mode: '755' },
      { path: 'new/deep', uid: 1001, gid: 1001, mode: '755' },
    ]);
  });

  it('pitfall 14, directory into a `to` that is a symlink in the base: the link stays, the contents merge into its target', async () => {
    const root = await buildWithImports('p14-link', [
      { add: '/dmode', to: '/srv/link', owner: 'app', group: 'app' },
    ]);
    expect(lstatSync(join(root, 'srv/link')).isSymbolicLink()).toBe(true);
    expect(files(root, 'srv/linked-target')).toEqual(['inner.txt', 'old.txt', 'sub/', 'sub/deep.txt']);
    // The file form (prepare read the base): what was copied is owned; the link's target keeps its owner.
    expect(
      attrs(root, [
        'srv/linked-target',
        'srv/linked-target/inner.txt',
        'srv/linked-target/sub',
        'srv/linked-target/old.txt',
      ]),
    ).toEqual([
      { path: 'srv/linked-target', uid: 0, gid: 0, mode: '755' },
      { path: 'srv/linked-target/inner.txt', uid: 1001, gid: 1001, mode: '640' },
      { path: 'srv/linked-target/sub', uid: 1001, gid: 1001, mode: '700' },
      { path: 'srv/linked-target/old.txt', uid: 0, gid: 0, mode: '644' },
    ]);
  });

  it("§5.1 step 6: without owner and group the source's ids are kept (werf's Buildah backend)", async () => {
    const root = await buildWithImports('keep-ids', [{ add: '/owned', to: '/srv/owned' }]);
    for (const p of ['srv/owned/app.txt', 'srv/owned/sub', 'srv/owned/sub/x.txt']) {
      const st = lstatSync(join(root, p));
      expect({ path: p, uid: st.uid, gid: st.gid }).toEqual({ path: p, uid: 1000, gid: 1000 });
    }
    // Entries with different owners cannot all be kept by one COPY: prepare says so, and root owns them.
    const mixed = await prepareWorkspace('mixed-ids', [{ add: '/mixed', to: '/srv/mixed' }]);
    expect(mixed.stdout).toContain('the imported entries have different owners in the source image');
    expect(readFileSync(join(mixed.workspace, 'Dockerfile'), 'utf8')).not.toContain('--chown');
  });

  it('pitfall 17 (PR #7626): to with a trailing slash is refused before anything is read', async () => {
    const r = await prepareWorkspace('p17', [{ add: '/tool', to: '/opt/bin/' }]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'import 0 (image "src", stage install, add /tool, to /opt/bin/): to must not end with "/"',
    );
  });

  it('§5.1: directory contents merge into an existing directory; existing files stay, same names are overwritten', async () => {
    const root = await buildWithImports('merge', [{ add: '/data', to: '/usr/share/existing' }]);
    expect(files(root, 'usr/share/existing')).toEqual(['keep.txt', 'new.txt', 'same.txt']);
    expect(readFileSync(join(root, 'usr/share/existing/keep.txt'), 'utf8')).toBe('base file\n');
    expect(readFileSync(join(root, 'usr/share/existing/same.txt'), 'utf8')).toBe('from import\n');
  });
});
