import { describe, expect, it } from 'vitest';
import { formatYamlPath } from '../../../src/werf/errors.js';
import { parseWerfConfig } from '../../../src/werf/parse-config.js';
import { renderWerfConfig } from '../../../src/werf/render/index.js';
import { corpusCases } from './render/corpus-helpers.js';

// Every corpus file, rendered as werf does, parses into the model. With
// giterminism loosened, what is left is what this builder does not do
// (Ansible) and what a partial lacks on its own (the meta document and the
// images its parent config defines).

const expected: Record<string, string[]> = {
  dotplant2: ['unsupported ansible'],
  'hlf-explorer-backend': ['unsupported ansible'],
  'lufanchik-integration-testing': ['unsupported ansible', 'unsupported ansible'],
  'modules-template-bundle': ['rule (document)', 'rule import[0].image', 'rule import[1].image'],
  // On its own the partial lacks its parent's base image values: `from: <no value>`.
  'translator-front-prod': ['rule (document)', 'rule from', 'unsupported ansible', 'rule from'],
  'translator-front-prod.via-parent': ['unsupported ansible'],
};

describe('rendered corpus', () => {
  const cases = corpusCases();
  it('has every corpus file', () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });
  for (const c of cases) {
    it(`${c.name} parses with only the expected errors`, () => {
      const text = renderWerfConfig(c.text, c.options);
      const { config, errors } = parseWerfConfig(text, { fileName: c.name, giterminism: { loose: true } });
      expect(errors.map((e) => `${e.code} ${formatYamlPath(e.path)}`)).toEqual(expected[c.name] ?? []);
      expect(config.images.length).toBeGreaterThan(0);
    });
  }

  it('werf-website without werf-giterminism.yaml: the branch and the env secret need permission', () => {
    const c = cases.find((x) => x.name === 'werf-website.production');
    const text = renderWerfConfig(c?.text ?? '', c?.options);
    const { errors } = parseWerfConfig(text);
    expect(errors.map((e) => formatYamlPath(e.path))).toEqual(['secrets[0].env', 'git[1].branch']);
  });
});
