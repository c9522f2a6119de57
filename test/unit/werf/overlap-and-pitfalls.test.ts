import { describe, expect, it } from 'vitest';
import { parseWerfConfig } from '../../../src/werf/parse-config.js';
import { errorLines, META } from './helpers.js';

const SRC = 'image: s\nfinal: false\nfrom: alpine:3.20\n---\n';

describe('overlap of git mappings and imports (§2.10, rule 25)', () => {
  it('git to /app and git to /app/assets: the outer mapping excludes the inner one', () => {
    const { config, errors } = parseWerfConfig(
      `${META}image: a\nfrom: alpine\ngit:\n- {add: /, to: /app, excludePaths: [tmp]}\n- {add: /assets, to: /app/assets}\n`,
    );
    expect(errors).toEqual([]);
    const [outer, inner] = config.images[0]?.git ?? [];
    expect(outer?.excludePaths).toEqual(['tmp', 'assets']);
    expect(outer?.implicitExcludePaths).toEqual(['assets']);
    expect(inner?.excludePaths).toEqual([]);
  });

  it('two imports to the same place with different includes exclude each other', () => {
    const { config, errors } = parseWerfConfig(
      `${META}${SRC}image: a\nfrom: alpine\nimport:\n- {from: s, add: /o, to: /app, includePaths: [a], after: install}\n- {from: s, add: /p, to: /app, includePaths: [b], after: install}\n`,
    );
    expect(errors).toEqual([]);
    expect(config.images[1]?.import.map((i) => i.excludePaths)).toEqual([['b'], ['a']]);
  });

  it('only entries that claim the same path are an error, with both named', () => {
    expect(
      errorLines(
        `${META}${SRC}image: a\nfrom: alpine\nimport:\n- {from: s, add: /x, to: /app, after: install}\n- {from: s, add: /y, to: /app, after: install}\n`,
      ),
    ).toEqual([
      '12:3 doc 2 import[1]: import[1] and import[0] both put files at "/app"; werf cannot separate them with excludes: give them different "to" or "includePaths"',
    ]);
    expect(
      errorLines(
        `${META}${SRC}image: a\nfrom: alpine\ngit:\n- {add: /, to: /, includePaths: [etc]}\nimport:\n- {from: s, add: /x, to: /, includePaths: [etc], after: install}\n`,
      ),
    ).toEqual([
      '13:3 doc 2 import[0]: import[0] and git[0] both put files at "/etc"; werf cannot separate them with excludes: give them different "to" or "includePaths"',
    ]);
  });

  it('exports are taken local git, remote git, imports: a remote mapping written first still comes second', () => {
    const { config } = parseWerfConfig(
      `${META}image: a\nfrom: alpine\ngit:\n- {url: "https://h/r.git", commit: abc, to: /app/vendor}\n- {to: /app}\n`,
      { giterminism: { loose: true } },
    );
    const git = config.images[0]?.git ?? [];
    expect(git.map((g) => [g.kind, g.to, g.excludePaths])).toEqual([
      ['local', '/app', ['vendor']],
      ['remote', '/app/vendor', []],
    ]);
    // The model keeps where each came from, whatever its place in the list.
    expect(config.sourceMap.positionOf(git[0] as object)).toMatchObject({
      path: ['git', 1],
      line: 8,
      column: 3,
    });
  });
});

describe('pitfalls from werf-pitfalls.md', () => {
  it('13 / the "add: /" rule: an import of the source root needs includePaths', () => {
    const text = `${META}${SRC}image: dst\nfrom: alpine:3.20\nimport:\n- {from: s, add: /, to: /, after: install}\n- {from: s, add: /, to: /, includePaths: [version.json], after: install}\n`;
    expect(errorLines(text)).toEqual([
      '11:3 doc 2 import[0]: "add: /" needs "includePaths": importing the whole root filesystem of the source is refused; list the files to take',
    ]);
    expect(errorLines(text.replace('- {from: s, add: /, to: /, after: install}\n', ''))).toEqual([]);
  });

  it('17: an import "to" with a trailing slash is dropped with a warning (werf v2), and the model says so', () => {
    const text = `${META}${SRC}image: dst\nfrom: alpine:3.20\nimport:\n- {from: s, add: /tool, to: /opt/bin/, after: install}\n`;
    const { config, errors, warnings } = parseWerfConfig(text);
    expect(errors).toEqual([]);
    expect(warnings.map((w) => [w.line, w.column, w.path])).toEqual([[11, 29, ['import', 0, 'to']]]);
    expect(warnings[0]?.message).toContain('werf v2 drops it and copies to "/opt/bin" (not into it)');
    expect(config.images[1]?.import[0]).toMatchObject({ to: '/opt/bin', toHadTrailingSlash: true });
  });

  it('8: a cacheVersion of a stage without commands is kept (it creates the stage)', () => {
    const { config } = parseWerfConfig(
      `${META}image: x\nfrom: alpine\nshell:\n  installCacheVersion: "2"\n  setup: [date > /built]\n`,
    );
    expect(config.images[0]?.shell).toMatchObject({
      install: [],
      installCacheVersion: '2',
      setup: ['date > /built'],
    });
  });
});

describe('normalisation', () => {
  it('paths are cleaned, string-or-list fields become lists, numbers keep their text', () => {
    const { config, errors } = parseWerfConfig(
      `${META}image: a\nfrom: alpine\nfromCacheVersion: 1.0\ngit:\n- add: /front/\n  to: /app/./x/\n  includePaths: ./src\n  stageDependencies: {install: package.json}\nshell:\n  install: make\n  cacheVersion: 010\n`,
    );
    expect(errors).toEqual([]);
    const image = config.images[0];
    expect(image?.fromCacheVersion).toBe('1.0');
    expect(image?.git[0]).toMatchObject({ add: '/front', to: '/app/x', includePaths: ['src'] });
    expect(image?.git[0]?.stageDependencies.install).toEqual(['package.json']);
    expect(image?.shell).toMatchObject({ install: ['make'], cacheVersion: '010' });
  });

  it('meta build.cacheVersion and build.imageSpec reach the images as werf merges them', () => {
    const text = `project: t\nconfigVersion: 1\nbuild:\n  cacheVersion: m1\n  imageSpec:\n    author: meta\n    config:\n      labels: {a: meta, c: meta}\n      removeLabels: [x]\n---\nimage: a\nfrom: alpine\nimageSpec:\n  config:\n    labels: {a: own, b: own}\n    removeLabels: [y, x]\n---\nimage: b\nfrom: alpine\ncacheVersion: own\nfinal: false\n`;
    const { config, errors } = parseWerfConfig(text);
    expect(errors).toEqual([]);
    const [a, b] = config.images;
    expect(a?.effectiveCacheVersion).toBe('m1');
    expect(b?.effectiveCacheVersion).toBe('own');
    expect(a?.imageSpec?.author).toBe('meta');
    expect(a?.imageSpec?.config.labels).toEqual({ a: 'meta', b: 'own', c: 'meta' });
    expect(a?.imageSpec?.config.removeLabels).toEqual(['y', 'x']);
    expect(b?.imageSpec).toBeUndefined();
  });

  it('bases: internal by lookup, scratch, external as written, NAME:latest for a same-named from', () => {
    const text = `${META}image: base\nfrom: scratch\n---\nimage: a\nfrom: base\n---\nimage: alpine\nfrom: alpine\n---\nimage: c\nfromImage: node:20\n`;
    const { config, errors } = parseWerfConfig(text);
    expect(errors).toEqual([]);
    expect(config.images.map((i) => i.base)).toEqual([
      { kind: 'scratch' },
      { kind: 'image', image: 'base', via: 'from' },
      { kind: 'external', reference: 'alpine:latest' },
      { kind: 'external', reference: 'node:20' },
    ]);
  });

  it('import sources: external only with a tag or digest', () => {
    const text = `${META}image: src\nfrom: alpine\n---\nimage: a\nfrom: alpine\nimport:\n- {from: src, add: /a, to: /1, after: install}\n- {image: "alpine:3.20", add: /a, to: /2, after: install}\n- {from: "reg.io:5000/x/y@sha256:${'a'.repeat(64)}", add: /a, to: /3, before: setup}\n`;
    const { config, errors } = parseWerfConfig(text);
    expect(errors).toEqual([]);
    expect(config.images[1]?.import.map((i) => [i.source.kind, i.slot])).toEqual([
      ['image', 'afterInstall'],
      ['external', 'afterInstall'],
      ['external', 'beforeSetup'],
    ]);
  });

  it('image: [a, b] gives two images with their own copies of the exports', () => {
    const { config } = parseWerfConfig(`${META}image: [a, b]\nfrom: alpine\ngit:\n- {to: /app}\n`);
    const [a, b] = config.images;
    expect([a?.name, b?.name]).toEqual(['a', 'b']);
    expect(a?.git[0]).not.toBe(b?.git[0]);
    expect(config.sourceMap.positionOf(b?.git[0] as object)).toMatchObject({ path: ['git', 0], line: 7 });
  });
});

describe('warnings werf v2 prints', () => {
  it('stageDependencies of a stage without commands (pitfall 8)', () => {
    const { errors, warnings } = parseWerfConfig(
      `${META}image: x\nfrom: alpine\ngit:\n- to: /app\n  stageDependencies:\n    install: [package.json]\n    setup: ["**/*"]\nshell:\n  setup: [make]\n`,
    );
    expect(errors).toEqual([]);
    expect(warnings.map((w) => [w.line, w.column, w.path.join('.'), w.message])).toEqual([
      [
        9,
        14,
        'git.0.stageDependencies.install',
        'has no effect: the image has no install commands, so a change here rebuilds nothing (werf v3 rejects this)',
      ],
    ]);
  });
});
