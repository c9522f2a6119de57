import { describe, expect, it } from 'vitest';
import { parseWerfConfig } from '../../../src/werf/parse-config.js';
import { errorLines, META } from './helpers.js';

// Regression tests for bad input found by attacking the parser, the renderer
// and the planner: each names the document, the YAML path and the line.

describe('image and artifact names', () => {
  it('a number or boolean as "image" is an error that says to quote it, as in werf', () => {
    expect(errorLines(`${META}image: 123\nfrom: alpine\n`)).toEqual([
      '4:8 doc 1 image: expected an image name, a list of image names or null, got the number 123; quote a name that YAML reads as a number or boolean (image: "123")',
    ]);
    expect(errorLines(`${META}image: "123"\nfrom: alpine\n`)).toEqual([]);
  });

  it('a non-string item of an image list is reported at its index, not dropped', () => {
    expect(errorLines(`${META}image: [a, true]\nfrom: alpine\n`)).toEqual([
      '4:12 doc 1 image[1]: expected an image name, got the boolean true; quote a name that YAML reads as a number or boolean (image: "123")',
    ]);
  });

  it('"artifact" is a string field: a number is its name as written', () => {
    const { config, errors } = parseWerfConfig(
      `${META}artifact: 123\nfrom: alpine\n---\nimage: b\nfrom: alpine\nimport:\n- {artifact: "123", add: /x, to: /y, after: install}\n`,
    );
    expect(errors).toEqual([]);
    expect(config.images.map((i) => i.name)).toEqual(['123', 'b']);
  });
});

describe('YAML structure', () => {
  it('a merge key with a scalar is a YAML error at the merge, not fields named "value" and "source"', () => {
    expect(errorLines(`${META}image: a\nfrom: alpine\n<<: [1, 2]\n`)).toEqual([
      '6:5 doc 1 ["<<"]: invalid YAML: a merge key ("<<") needs a mapping or a list of mappings',
    ]);
    expect(errorLines(`${META}image: a\n<<: {from: alpine}\n`)).toEqual([]);
  });

  it('YAML problems inside a document name their path', () => {
    expect(errorLines(`${META}image: a\nfrom: alpine\ndocker:\n  ENV:\n    ? [k]\n    : v\n`)).toEqual([
      '8:7 doc 1 docker.ENV: mapping keys must be plain strings',
    ]);
  });

  it('nesting too deep for the YAML parser is one error at the level past the limit, not a stack overflow', () => {
    const lines = errorLines(`${META}image: a\nfrom: alpine\nx: ${'['.repeat(10_000)}\n`);
    expect(lines).toEqual([
      `6:${4 + 64} doc 1 (document): invalid YAML: nesting deeper than 64 levels; a werf.yaml needs far fewer: look for unclosed "[" or "{", or flatten the structure`,
    ]);
    const closed = errorLines(`${META}image: a\nfrom: alpine\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    expect(closed).toHaveLength(1);
    expect(closed[0]).not.toMatch(/call stack/);
  });

  it('an unclosed flow collection is reported at its opening bracket, with its path', () => {
    expect(errorLines(`${META}image: a\nfrom: alpine\nx: [a, b\n`)).toEqual([
      '6:4 doc 1 x: invalid YAML: the flow sequence "[" opened here is not closed: end it with "]" (lines inside it must be indented more than the line it starts on)',
    ]);
    expect(errorLines(`${META}image: a\nfrom: alpine\nshell:\n  install: [echo, {b: 1\n`)).toEqual([
      '7:12 doc 1 shell.install: invalid YAML: the flow sequence "[" opened here is not closed: end it with "]" (lines inside it must be indented more than the line it starts on)',
      '7:19 doc 1 shell.install[1]: invalid YAML: the flow map "{" opened here is not closed: end it with "}" (lines inside it must be indented more than the line it starts on)',
    ]);
  });
});

describe('base images', () => {
  it('an external "from" must be an image reference: a line break would inject Dockerfile instructions', () => {
    expect(errorLines(`${META}image: a\nfrom: "alpine\\nRUN id"\n`)).toEqual([
      '5:7 doc 1 from: "alpine\\nRUN id" is neither an image of this config nor a valid image reference (such as "alpine:3.20" or "registry.example.com/team/base@sha256:<64 hex digits>")',
    ]);
    expect(errorLines(`${META}image: a\nfromImage: "<no value>"\n`)).toHaveLength(1);
    expect(
      errorLines(
        `${META}image: a\nfrom: localhost:5000/team/base:1.0\n---\nimage: b\nfrom: scratch\n---\nimage: c\nfrom: a\n`,
      ),
    ).toEqual([]);
  });
});

describe('size bounds', () => {
  it('a document with too many values says so without blaming aliases it does not have', () => {
    const items = '  - echo\n'.repeat(50_001);
    const errors = errorLines(`${META}image: a\nfrom: alpine\nshell:\n  install:\n${items}`);
    expect(errors.at(-1)).toMatch(
      /^50003:5 doc 1 shell\.install\[49995\]: document too large: more than 50000 values/,
    );
  });
});
