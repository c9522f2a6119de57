// Fuzzing the whole config path (render -> parse -> compilePlan -> evaluatePlan,
// and the reconciler's compileConfig) with mutated corpus configs and with
// generated ones. Whatever the input: no exception escapes, every render
// failure is a RenderError at a line:col of the file it names, and every
// config or plan error names a document of the input, a YAML path and a
// line:col inside that document. Inputs are bounded (corpus-sized texts,
// small render limits), so a run cannot hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compilePlan, evaluatePlan } from '../../../src/plan/planner.js';
import { compileConfig } from '../../../src/reconciler/config.js';
import type { ParseResult } from '../../../src/werf/model.js';
import { parseWerfConfig } from '../../../src/werf/parse-config.js';
import { RenderError, type RenderOptions, renderWerfConfig } from '../../../src/werf/render/index.js';
import { imageBuild } from '../reconciler/fixtures.js';
import { corpusCases } from './render/corpus-helpers.js';

const limits = { maxSteps: 200_000, maxMillis: 3_000, maxOutputChars: 1_000_000, maxDepth: 50 };
/** FUZZ_RUNS=5000 for a longer hunt; the default keeps the unit suite quick. */
const runs = Number(process.env.FUZZ_RUNS ?? 300);
/** Generous: a shared CI machine is slow; this bounds a hang, it does not measure speed. */
const timeout = 120_000 + runs * 100;
const noFacts = { importChecksums: new Map(), gitCommits: new Map(), gitContent: new Map() };

/** 1-based line:col must point into `text` (column may be one past the line's end). */
function expectInside(text: string, line: number, column: number, what: string) {
  const lines = text.split('\n');
  expect(line, what).toBeGreaterThanOrEqual(1);
  expect(line, what).toBeLessThanOrEqual(lines.length);
  expect(column, what).toBeGreaterThanOrEqual(1);
  expect(column, what).toBeLessThanOrEqual((lines[line - 1] ?? '').length + 1);
}

/** Where each document starts and (exclusive) where the next one does, as lines. */
function documentSpans(result: ParseResult): Map<number, { from: number; to: number }> {
  const docs = [...result.config.documents].sort((a, b) => a.line - b.line);
  const spans = new Map<number, { from: number; to: number }>();
  docs.forEach((d, i) => {
    spans.set(d.index, { from: d.line, to: docs[i + 1]?.line ?? Number.POSITIVE_INFINITY });
  });
  return spans;
}

interface Located {
  docIndex: number;
  path: readonly (string | number)[];
  line: number;
  column: number;
  message: string;
}

function expectLocated(rendered: string, result: ParseResult, e: Located) {
  const what = JSON.stringify(e);
  expect(e.message.length, what).toBeGreaterThan(0);
  expectInside(rendered, e.line, e.column, what);
  expect(Array.isArray(e.path), what).toBe(true);
  for (const part of e.path) expect(['string', 'number'], what).toContain(typeof part);
  if (e.docIndex < 0) {
    // Only problems of the whole file (a missing meta document) name no document.
    expect(e.path, what).toEqual([]);
    return;
  }
  const span = documentSpans(result).get(e.docIndex);
  expect(span, `${what}: no document ${e.docIndex}`).toBeDefined();
  // YAML problems of a document start inside its text; the split line itself belongs to the previous one.
  expect(e.line, what).toBeGreaterThanOrEqual((span?.from ?? 1) - 1);
  expect(e.line, what).toBeLessThanOrEqual(span?.to ?? 0);
}

/** Runs the whole path and checks every failure it reports. */
function checkPipeline(text: string, options: RenderOptions = {}) {
  const given = options.files ?? {};
  const files = new Map<string, string>(given instanceof Map ? given : Object.entries(given));
  const sources = new Map<string, string>([...files, ['werf.yaml', text]]);
  let rendered: string;
  try {
    rendered = renderWerfConfig(text, { ...options, files, limits, fileName: 'werf.yaml' });
  } catch (e) {
    if (!(e instanceof RenderError)) throw e;
    // A render error points into werf.yaml, a partial, or a tpl/define body named in the message.
    const source = sources.get(e.file) ?? sources.get(`.werf/${e.file}`);
    if (source !== undefined) expectInside(source, e.line, e.column, e.message);
    expect(e.reason.length).toBeGreaterThan(0);
    return;
  }
  const result = parseWerfConfig(rendered);
  for (const e of [...result.errors, ...result.warnings]) expectLocated(rendered, result, e);
  if (result.errors.length > 0) return;
  const compiled = compilePlan(result.config, { repository: 'registry.example.com/fuzz' });
  for (const p of compiled.errors) expectLocated(rendered, result, p);
  if (compiled.errors.length > 0) return;
  const plan = evaluatePlan(compiled, noFacts);
  for (const p of [...plan.errors, ...plan.warnings]) expectLocated(rendered, result, p);
}

// ------------------------------------------------------------ mutations

/** Fragments a careless or hostile edit leaves in a werf.yaml. */
const nasty = [
  '{{',
  '}}',
  '{{ end }}',
  '{{ if }}',
  '{{ template "x" . }}',
  '{{ include "nope" . }}',
  '{{ .Files.Get "missing" }}',
  '{{ (((((1))))) }}',
  '---',
  '\n---\n',
  '&a ',
  '*a',
  '*nope',
  '<<: *a',
  '<<: 1',
  '\t',
  ': ',
  '- ',
  '~',
  'null',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '#',
  '\uFEFF',
  '\r\n',
  '😀',
  '\u0000',
  '\uFFFD',
  '123',
  '1e400',
  'true',
  '/',
  '..',
  '../..',
  ' ',
  '    ',
  'image: x\n',
  'from: \n',
  'from: "a\\nRUN x"\n',
  'import:\n- image: x\n  add: /\n  to: /\n  after: install\n',
  'fromImage: x\n',
  'dependencies:\n- image: x\n  after: setup\n',
  'shell: {install: [1, null]}\n',
  'docker: {ENV: {A: "x\\ny"}}\n',
  'git:\n- add: /\n  to: /\n- add: /\n  to: /\n',
  '? [k]\n: v\n',
];

type Mutation = (lines: string[]) => string[];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((n) => (ls: string[]) => ls.filter((_, i) => i !== n % Math.max(ls.length, 1))),
  fc.nat().map((n) => (ls: string[]) => {
    const i = n % Math.max(ls.length, 1);
    return [...ls.slice(0, i + 1), ls[i] ?? '', ...ls.slice(i + 1)];
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (ls: string[]) => {
    const out = [...ls];
    const i = a % Math.max(out.length, 1);
    const j = b % Math.max(out.length, 1);
    [out[i], out[j]] = [out[j] ?? '', out[i] ?? ''];
    return out;
  }),
  fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...nasty)).map(([a, b, frag]) => (ls: string[]) => {
    const out = [...ls];
    const i = a % Math.max(out.length, 1);
    const line = out[i] ?? '';
    const at = b % (line.length + 1);
    out[i] = line.slice(0, at) + frag + line.slice(at);
    return out;
  }),
  fc.tuple(fc.nat(), fc.integer({ min: -4, max: 4 })).map(([a, d]) => (ls: string[]) => {
    const out = [...ls];
    const i = a % Math.max(out.length, 1);
    const line = out[i] ?? '';
    out[i] = d >= 0 ? ' '.repeat(d) + line : line.replace(new RegExp(`^ {0,${-d}}`), '');
    return out;
  }),
  fc.tuple(fc.nat(), fc.string({ maxLength: 12 })).map(([a, s]) => (ls: string[]) => {
    // Replace a scalar value after "key: " with random text.
    const out = [...ls];
    const i = a % Math.max(out.length, 1);
    out[i] = (out[i] ?? '').replace(/:\s+\S.*$/, `: ${s}`);
    return out;
  }),
);

const cases = corpusCases();

describe('fuzzing render -> parse -> plan', () => {
  it('every corpus case itself passes the checks', () => {
    for (const c of cases) checkPipeline(c.text, c.options);
  });

  it(
    'mutated corpus configs: no exception, every error located in the input',
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...cases),
          fc.array(mutation, { minLength: 1, maxLength: 6 }),
          (c, mutations) => {
            const text = mutations.reduce((ls, m) => m(ls), c.text.split('\n')).join('\n');
            checkPipeline(text, c.options);
          },
        ),
        { numRuns: runs },
      );
    },
    timeout,
  );

  // Generated configs: a few images that name each other (cycles, self-imports,
  // unknown images, artifacts) with random values in random fields.
  const names = fc.constantFrom('a', 'b', 'c', 'art', 'alpine:3.20', 'zzz', 'scratch', '');
  const value: fc.Arbitrary<unknown> = fc.oneof(
    names,
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('/', '/app', 'app', '../x', 'install', 'setup', 'tmp_dir', true, 0, null),
  );
  const importItem = fc.record(
    {
      image: names,
      from: names,
      artifact: names,
      add: fc.constantFrom('/', '/out', 'rel'),
      to: fc.constantFrom('/', '/app', '/app/sub', 'rel'),
      before: fc.constantFrom('install', 'setup', 'x'),
      after: fc.constantFrom('install', 'setup'),
      includePaths: fc.array(fc.constantFrom('a', '**/*.jar', '/abs', '..'), { maxLength: 2 }),
      stage: value,
    },
    { requiredKeys: [] },
  );
  const imageDoc = fc.record(
    {
      image: fc.oneof(names, fc.array(names, { maxLength: 2 }), value),
      artifact: names,
      final: value,
      from: names,
      fromImage: names,
      fromArtifact: names,
      import: fc.oneof(fc.array(importItem, { maxLength: 3 }), value),
      dependencies: fc.array(
        fc.record(
          {
            image: names,
            after: fc.constantFrom('install', 'setup'),
            imports: fc.constant([{ type: 'ImageName', targetEnv: 'X' }]),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
      git: fc.array(
        fc.record(
          { add: fc.constantFrom('/', '/src'), to: fc.constantFrom('/', '/app', '/app/a') },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
      shell: fc.record(
        { install: fc.oneof(fc.array(fc.string(), { maxLength: 2 }), value) },
        { requiredKeys: [] },
      ),
      docker: fc.record(
        { ENV: fc.dictionary(fc.string({ maxLength: 3 }), value, { maxKeys: 2 }), USER: value },
        { requiredKeys: [] },
      ),
      mount: fc.array(fc.record({ from: value, to: value }, { requiredKeys: [] }), { maxLength: 2 }),
      platform: value,
    },
    { requiredKeys: [] },
  );

  it(
    'generated configs: no exception, every error located in the input',
    () => {
      fc.assert(
        fc.property(fc.array(imageDoc, { minLength: 1, maxLength: 5 }), fc.boolean(), (docs, withMeta) => {
          const meta = withMeta ? 'project: fuzz\nconfigVersion: 1\n---\n' : '';
          checkPipeline(meta + docs.map((d) => stringify(d)).join('---\n'));
        }),
        { numRuns: runs },
      );
    },
    timeout,
  );

  it(
    "the reconciler's compileConfig answers every mutated config without throwing",
    () => {
      const build = imageBuild();
      fc.assert(
        fc.property(
          fc.constantFrom(...cases),
          fc.array(mutation, { minLength: 1, maxLength: 4 }),
          (c, mutations) => {
            const text = mutations.reduce((ls, m) => m(ls), c.text.split('\n')).join('\n');
            const result = compileConfig(text, {
              ...build,
              spec: { ...build.spec, env: c.options.env ?? {} },
            });
            if (!result.ok) {
              expect(result.errors.length).toBeGreaterThan(0);
              for (const e of result.errors) expect(e).toMatch(/^[^\s:]+:\d+:\d+: /);
            }
          },
        ),
        { numRuns: runs / 2 },
      );
    },
    timeout,
  );
});
