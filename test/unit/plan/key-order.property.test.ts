import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseWerfConfig } from '../../../src/werf/parse-config.js';
import { planWithWorld } from './world.js';

// The same config written with its mapping keys in any order plans to the
// same stages, digests and recipes: werf hashes maps in sorted key order
// and lists in config order, and so must we. Configs are generated with
// every kind of directive, then serialised twice with keys shuffled.

type Yaml = string | number | boolean | Yaml[] | { [key: string]: Yaml };

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const envKey = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,5}$/);
const command = fc
  .string({ minLength: 1, maxLength: 30 })
  .filter((s) => s.trim() !== '' && !s.includes('\0'));
const path = word.map((w) => `/${w}`);

function imageDoc(index: number) {
  const earlier =
    index > 0 ? fc.integer({ min: 0, max: index - 1 }).map((i) => `img${i}`) : fc.constant(undefined);
  return fc
    .record({
      base: index > 0 ? fc.oneof(fc.constant('alpine:3.20'), earlier) : fc.constant('alpine:3.20'),
      fromCacheVersion: fc.option(word, { nil: undefined }),
      shell: fc.record({
        beforeInstall: fc.array(command, { maxLength: 2 }),
        install: fc.array(command, { maxLength: 2 }),
        setup: fc.array(command, { maxLength: 2 }),
        installCacheVersion: fc.option(word, { nil: undefined }),
      }),
      git: fc.array(
        fc.record({
          add: path,
          to: path,
          includePaths: fc.array(word, { maxLength: 2 }),
          excludePaths: fc.array(word, { maxLength: 2 }),
          owner: fc.option(word, { nil: undefined }),
          stageDependencies: fc.record({
            install: fc.array(word, { maxLength: 2 }),
            setup: fc.array(word, { maxLength: 2 }),
          }),
        }),
        { maxLength: 1 },
      ),
      // The first image has nothing earlier to import from.
      import: fc.array(
        fc.record({
          image: earlier,
          add: path,
          to: path,
          after: fc.constantFrom('install', 'setup'),
          includePaths: fc.array(word, { maxLength: 2 }),
          owner: fc.option(word, { nil: undefined }),
        }),
        { maxLength: index > 0 ? 2 : 0 },
      ),
      docker: fc.record({
        ENV: fc.dictionary(envKey, word, { maxKeys: 4 }),
        LABEL: fc.dictionary(word, word, { maxKeys: 4 }),
        EXPOSE: fc.array(fc.integer({ min: 1, max: 65535 }).map(String), { maxLength: 2 }),
        WORKDIR: fc.option(path, { nil: undefined }),
        CMD: fc.option(fc.array(word, { minLength: 1, maxLength: 3 }), { nil: undefined }),
      }),
    })
    .map((r): Record<string, Yaml> => {
      const doc: Record<string, Yaml> = { image: `img${index}` };
      if (r.base === 'alpine:3.20') doc.from = r.base;
      else doc.fromImage = r.base!;
      if (r.fromCacheVersion) doc.fromCacheVersion = r.fromCacheVersion;
      const shell: Record<string, Yaml> = {};
      for (const [k, v] of Object.entries(r.shell))
        if (v !== undefined && (!Array.isArray(v) || v.length > 0)) shell[k] = v;
      if (Object.keys(shell).length > 0) doc.shell = shell;
      if (r.git.length > 0) {
        doc.git = r.git.map((g) => {
          const m: Record<string, Yaml> = {
            add: g.add,
            to: `/git${g.to}`,
            includePaths: g.includePaths,
            excludePaths: g.excludePaths,
            stageDependencies: g.stageDependencies,
          };
          if (g.owner) m.owner = g.owner;
          return m;
        });
      }
      if (r.import.length > 0) {
        doc.import = r.import.map((imp, i) => {
          const m: Record<string, Yaml> = {
            image: imp.image!,
            add: imp.add,
            to: `/imports/${i}${imp.to}`,
            after: imp.after,
            includePaths: imp.includePaths,
          };
          if (imp.owner) m.owner = imp.owner;
          return m;
        });
      }
      const docker: Record<string, Yaml> = {
        ENV: r.docker.ENV,
        LABEL: r.docker.LABEL,
        EXPOSE: r.docker.EXPOSE,
      };
      if (r.docker.WORKDIR) docker.WORKDIR = r.docker.WORKDIR;
      if (r.docker.CMD) docker.CMD = r.docker.CMD;
      doc.docker = docker;
      return doc;
    });
}

const configArb = fc
  .integer({ min: 1, max: 4 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => imageDoc(i))));

/** Rebuilds every mapping with its keys in an order drawn from `order` (lists keep their order). */
function reorder(value: Yaml, order: () => number): Yaml {
  if (Array.isArray(value)) return value.map((v) => reorder(v, order));
  if (typeof value !== 'object') return value;
  const keys = Object.keys(value);
  const ranked = keys.map((k) => [order(), k] as const).sort((a, b) => a[0] - b[0]);
  return Object.fromEntries(ranked.map(([, k]) => [k, reorder(value[k]!, order)]));
}

function werfYaml(docs: Record<string, Yaml>[], order: () => number): string {
  const meta = reorder({ project: 'prop', configVersion: 1 }, order);
  return [meta, ...docs.map((d) => reorder(d, order))].map((d) => stringify(d)).join('---\n');
}

function planOf(text: string) {
  const parsed = parseWerfConfig(text);
  expect(parsed.errors).toEqual([]);
  const plan = planWithWorld(parsed.config, {
    git: { url: 'https://git.example/p.git', commit: 'c'.repeat(40) },
  });
  expect(plan.errors).toEqual([]);
  return plan.images.map((i) => ({
    name: i.name,
    stages: i.stages.map((s) => ({ name: s.name, digest: s.digest, recipe: s.recipe })),
  }));
}

describe('plans do not depend on YAML key order', () => {
  it('gives the same stages, digests and recipes for any key order', () => {
    let reordered = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        configArb,
        fc.array(fc.double({ noNaN: true }), { minLength: 64, maxLength: 64 }),
        (docs, randoms) => {
          let i = 0;
          const shuffled = () => randoms[i++ % randoms.length]!;
          let j = 0;
          const asWritten = () => j++;
          const textA = werfYaml(docs, asWritten);
          const textB = werfYaml(docs, shuffled);
          runs++;
          if (textA !== textB) reordered++;
          const a = planOf(textA);
          const b = planOf(textB);
          expect(b).toEqual(a);
          expect(a.every((img) => img.stages.every((s) => s.digest !== undefined))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
    // The property is only worth something when the texts really differ.
    expect(reordered).toBeGreaterThan(runs * 0.9);
  }, 180_000);
});
