// Differential test against Go: the oracle (test/oracles/gotemplate, Go's
// text/template + sprig v3 + werf's functions) renders the same cases and the
// outputs must be equal byte for byte; where Go fails, we must fail too, with
// a positioned message. Cases: hand-written ones for every construct and
// function, every corpus file, and a few thousand generated templates.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { RenderError, renderWerfConfig } from '../../../src/werf/render/index.js';
import { corpusCases } from '../../unit/werf/render/corpus-helpers.js';
import { badVerbCases, caseConversionCases, handCases, looseEnvCases, type NamedCase } from './cases.js';
import { templateArb } from './generator.js';
import { type OracleResult, oracleBinary, runOracle } from './oracle.js';

const generatedRuns = Number(process.env.RENDER_FUZZ_RUNS ?? 3000);
const generatedSeed = Number(process.env.RENDER_FUZZ_SEED ?? 20261203);

const named: NamedCase[] = [
  ...handCases,
  ...looseEnvCases,
  ...caseConversionCases,
  ...badVerbCases,
  ...corpusCases().map((c) => ({
    name: `corpus: ${c.name}`,
    text: c.text,
    files: Object.fromEntries(c.options.files as Map<string, string>),
    env: c.options.env as Record<string, string>,
    werfEnv: c.options.werfEnv ?? '',
  })),
];
const generated = fc.sample(templateArb, { seed: generatedSeed, numRuns: generatedRuns });

let results: OracleResult[] = [];

type Ours = { ok: true; out: string } | { ok: false; err: string };
function ours(c: NamedCase | { text: string; werfEnv: string }): Ours {
  const o = c as NamedCase;
  try {
    return {
      ok: true,
      out: renderWerfConfig(o.text, {
        files: o.files,
        env: o.env,
        werfEnv: o.werfEnv,
        strictEnv: o.strictEnv,
      }),
    };
  } catch (e) {
    if (e instanceof RenderError) return { ok: false, err: e.message };
    throw e;
  }
}

/** Equal output, or both failed and our message names a position and a reason. */
function agree(go: OracleResult, ts: Ours): string | null {
  if (go.ok && ts.ok)
    return go.out === ts.out
      ? null
      : `output differs\n go: ${JSON.stringify(go.out)}\n ts: ${JSON.stringify(ts.out)}`;
  if (!go.ok && !ts.ok) return /^[^:]+:\d+:\d+: \S/.test(ts.err) ? null : `unclear error: ${ts.err}`;
  return go.ok
    ? `we failed where Go rendered ${JSON.stringify(go.out)}: ${(ts as { err: string }).err}`
    : `Go failed (${go.err}) but we rendered ${JSON.stringify((ts as { out: string }).out)}`;
}

describe('renderer agrees with Go text/template + sprig', () => {
  beforeAll(() => {
    oracleBinary(); // builds on first use (fetches Go modules once)
    results = runOracle([...named, ...generated.map((text) => ({ text, werfEnv: 'prod' }))]);
  }, 600_000);

  it('has at least 300 hand-written and corpus cases', () => {
    expect(named.length).toBeGreaterThanOrEqual(300);
    expect(results.length).toBe(named.length + generated.length);
  });

  it('covers both outcomes: renders and errors', () => {
    const fails = results.slice(0, named.length).filter((r) => !r.ok).length;
    expect(fails).toBeGreaterThan(50);
    expect(named.length - fails).toBeGreaterThan(250);
  });

  named.forEach((c, i) => {
    it(c.name, () => {
      expect(agree(results[i]!, ours(c))).toBeNull();
    });
  });

  it(`agrees on ${generatedRuns} generated templates (seed ${generatedSeed})`, () => {
    const problems: string[] = [];
    generated.forEach((text, k) => {
      const problem = agree(results[named.length + k]!, ours({ text, werfEnv: 'prod' }));
      if (problem) problems.push(`template ${JSON.stringify(text)}\n${problem}`);
    });
    expect(problems.slice(0, 5)).toEqual([]);
  });
});
