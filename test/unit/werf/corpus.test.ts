import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWerfConfig } from '../../../src/werf/parse-config.js';

// A copy of ../shared/corpus/werf (byte for byte, sources in SOURCES.md), so a fresh clone can test.
const corpusDir = join(import.meta.dirname, '../../fixtures/werf-corpus');
const read = (name: string) => readFileSync(join(corpusDir, name), 'utf8');
const plainFiles = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.yaml'))
  .filter((f) => !read(f).includes('{{'));

// Partials and configs with Ansible are checked on their own below.
const SPECIAL = new Set(['modules-template-bundle.werf.yaml', 'hlf-explorer-backend.werf.yaml']);

describe('corpus files without templates', () => {
  it('finds the plain files', () => {
    expect(plainFiles.length).toBeGreaterThanOrEqual(7);
  });

  for (const file of plainFiles.filter((f) => !SPECIAL.has(f))) {
    it(`${file} parses with no error`, () => {
      const { config, errors } = parseWerfConfig(read(file), { fileName: file });
      expect(errors).toEqual([]);
      expect(config.meta).toBeDefined();
      expect(config.images.length + config.dockerfileImages.length).toBeGreaterThan(0);
    });
  }

  it('hlf-explorer-backend: valid werf, only Ansible is reported (unsupported by this builder)', () => {
    const { config, errors } = parseWerfConfig(read('hlf-explorer-backend.werf.yaml'));
    expect(errors.map((e) => [e.code, e.line, e.column, e.path])).toEqual([
      ['unsupported', 20, 1, ['ansible']],
    ]);
    expect(config.images[0]?.ansible?.setup).toHaveLength(2);
    expect(config.images[0]?.git[0]?.stageDependencies.setup).toEqual([
      'tsconfig.json',
      'tsconfig.build.json',
      'src',
    ]);
  });

  it('modules-template-bundle (a partial) parses inside a config with its meta and source images, with werf`s implicit excludes', () => {
    const text = `project: t\nconfigVersion: 1\n---\nimage: images-digests-and-version\nfrom: alpine:3.20\n---\nimage: batch-hooks\nfrom: alpine:3.20\n---\n${read('modules-template-bundle.werf.yaml')}`;
    const { config, errors } = parseWerfConfig(text);
    expect(errors).toEqual([]);
    const bundle = config.images.find((i) => i.name === 'bundle');
    expect(bundle?.base).toEqual({ kind: 'external', reference: 'builder/scratch' });
    expect(bundle?.git[0]?.implicitExcludePaths).toEqual([
      'images_digests.json',
      'version.json',
      'hooks/batchhooks',
    ]);
    expect(bundle?.git[0]?.excludePaths).toEqual([
      'hooks/batch',
      'images_digests.json',
      'version.json',
      'hooks/batchhooks',
    ]);
    expect(bundle?.import[0]?.implicitExcludePaths).toEqual([
      '.helmignore',
      'docs',
      'charts',
      'crds',
      'enabled',
      'hooks',
      'monitoring',
      'openapi',
      'templates',
      'Chart.yaml',
      'module.yaml',
      'values.yaml',
      'hooks/batchhooks',
    ]);
    expect(bundle?.import[1]?.excludePaths).toEqual([]);
  });

  it('werf-fixture-e2e-complex: every directive lands in the model as werf reads it', () => {
    const { config } = parseWerfConfig(read('werf-fixture-e2e-complex.werf.yaml'));
    expect(config.dockerfileImages.map((i) => i.name)).toEqual(['dockerfile']);
    expect(config.dockerfileImages[0]?.dependencies[1]?.imports.map((i) => i.targetBuildArg)).toHaveLength(4);
    const s = config.images.find((i) => i.name === 'stapel-shell');
    expect(s?.base).toEqual({ kind: 'image', image: 'base-stapel-shell', via: 'fromImage' });
    expect(s?.fromCacheVersion).toBe('1');
    expect(s?.mount).toEqual([{ to: '/tmp_dir', type: 'tmp_dir', fromPath: undefined }]);
    expect(s?.git[0]).toMatchObject({
      kind: 'remote',
      url: 'https://github.com/golang/example',
      commit: '2e68773dfca072cb81f219fc3b97ad34fe9d9f94',
      add: '/appengine-hello',
      to: '/app',
      owner: '1050',
      group: '1051',
      includePaths: ['**/*.js', '**/*.html', 'static/*.css', 'README.md'],
      excludePaths: ['static/script.js'],
      stageDependencies: { install: [], beforeSetup: ['README.md'], setup: ['*'] },
    });
    expect(s?.shell).toMatchObject({
      cacheVersion: '1',
      setupCacheVersion: '1',
      setup: ['echo setup >> /triggered-stages', 'echo content > /tmp_dir/file'],
    });
    // `USER: 0:0` is a YAML 1.1 number; yaml.v2 keeps the text for a string field.
    expect(s?.docker).toEqual({
      volume: ['/volume20'],
      expose: ['8010/tcp'],
      env: { ENV_NAME: 'env-value' },
      label: { LABEL_NAME: 'label-value' },
      entrypoint: '["sh", "-ec"]',
      cmd: 'sleep infinity',
      workdir: '/app',
      user: '0:0',
      healthcheck: 'CMD echo healthcheck20',
      exactValues: false,
    });
    expect(s?.import[0]).toMatchObject({
      source: { kind: 'image', image: 'base-stapel-shell', via: 'image' },
      slot: 'beforeInstall',
      owner: '1060',
      includePaths: ['file'],
      excludePaths: ['nothing'],
    });
  });

  it('werf-fixture-imports-app-1: a nameless image next to a non-final one', () => {
    const { config } = parseWerfConfig(read('werf-fixture-imports-app-1.werf.yaml'));
    expect(config.images.map((i) => [i.name, i.final])).toEqual([
      ['myartifact', false],
      ['', true],
    ]);
    expect(config.images[1]?.import.map((i) => i.to)).toEqual([
      '/usr/local',
      '/usr/locallll',
      '/usr/newlocal',
      '/usr/share',
      '/file2',
      '/file',
    ]);
  });

  it('alignfig: artifacts, fromImage, ENV numbers as text, ENTRYPOINT string', () => {
    const { config } = parseWerfConfig(read('alignfig.werf.yaml'));
    const builder = config.images.find((i) => i.name === 'golang_builder');
    expect(builder).toMatchObject({ kind: 'artifact', final: false, gitAfterPatch: false });
    expect(config.images.find((i) => i.name === 'python_base')?.docker?.env).toEqual({
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONUNBUFFERED: '1',
    });
    const api = config.images.find((i) => i.name === 'python_api');
    expect(api?.docker?.entrypoint).toBe('gunicorn --bind 0.0.0.0:5000 manage:app');
    expect(api?.docker?.cmd).toBe('[]');
    expect(config.images.find((i) => i.name === 'golang_web')?.import.map((i) => i.source)).toEqual([
      { kind: 'image', image: 'golang_builder', via: 'artifact' },
      { kind: 'image', image: 'golang_builder', via: 'artifact' },
    ]);
  });

  it('ivinco-k8s-infra: import "to" defaults to "add"', () => {
    const { config } = parseWerfConfig(read('ivinco-k8s-infra.werf.yaml'));
    expect(config.images.find((i) => i.name === 'admission')?.import[0]).toMatchObject({
      add: '/app/serverd',
      to: '/app/serverd',
      slot: 'beforeInstall',
    });
  });
});
