// Every werf.yaml of the corpus renders; the rendered text is a reviewed
// snapshot (byte-equal to Go's rendering, see oracle.test.ts) and parses into
// the model: no YAML or schema errors. Rule and unsupported-feature findings
// (ansible, giterminism, a partial without meta) are the validator's business.

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseWerfConfig } from '../../../../src/werf/parse-config.js';
import { renderWerfConfig } from '../../../../src/werf/render/index.js';
import { corpusCases, corpusFiles } from './corpus-helpers.js';

/** werf splits the rendered text on lines made of `---` (§1.1 step 3). */
function werfDocuments(text: string): string[] {
  return text.split(/^---[ \t]*(?:#.*)?$/m).filter((d) => d.replace(/#.*$/gm, '').trim() !== '');
}

describe('werf.yaml corpus renders', () => {
  it('covers every corpus file', () => {
    const names = new Set(corpusCases().map((c) => c.name.split('.')[0]));
    expect(corpusFiles().map((f) => f.replace(/\.werf\.yaml$/, ''))).toEqual([...names].sort());
  });

  for (const c of corpusCases()) {
    it(c.name, async () => {
      const out = renderWerfConfig(c.text, c.options);
      await expect(out).toMatchFileSnapshot(`./__snapshots__/corpus/${c.name}.yaml`);
      const docs = werfDocuments(out);
      expect(docs.length).toBeGreaterThan(0);
      for (const d of docs) {
        const parsed = parseAllDocuments(d, { version: '1.1' });
        const errors = (Array.isArray(parsed) ? parsed : [parsed]).flatMap((p) => p.errors);
        expect(errors.map((e) => e.message)).toEqual([]);
      }
      const parsed = parseWerfConfig(out, { fileName: `${c.name}.yaml` });
      const structural = parsed.errors.filter((e) => e.code === 'yaml' || e.code === 'schema');
      expect(structural.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([]);
    });
  }
});
