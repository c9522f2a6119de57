import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseWerfConfig } from '../../../src/werf/parse-config.js';
import { META } from './helpers.js';

// Bad input gets errors, never an exception, and every error points inside the text.

function checkPositions(text: string) {
  const { errors, warnings } = parseWerfConfig(text);
  const lines = text.split('\n');
  for (const e of [...errors, ...warnings]) {
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(lines.length);
    expect(e.column).toBeGreaterThanOrEqual(1);
    expect(e.message.length).toBeGreaterThan(0);
  }
  return errors;
}

const FIELDS = [
  'from',
  'final',
  'git',
  'shell',
  'import',
  'mount',
  'docker',
  'dependencies',
  'imageSpec',
  'secrets',
  'platform',
  'fromLatest',
  'ansible',
  'artifact',
  'image',
];

describe('robustness', () => {
  it('any value under any known field of an image yields errors, not exceptions', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 4 }), (field, value) => {
        const doc = { image: 'a', from: 'alpine', [field]: value };
        checkPositions(`${META}${stringify(doc)}`);
      }),
      { numRuns: 400 },
    );
  });

  it('arbitrary text yields errors, not exceptions', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        checkPositions(`${META}${text}`);
      }),
      { numRuns: 400 },
    );
  });

  it('an alias bomb is cut off with an error', () => {
    let text = `${META}image: a\nfrom: alpine\nx0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n`;
    for (let i = 1; i < 9; i++)
      text += `x${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    const errors = checkPositions(text);
    expect(errors.some((e) => e.message.includes('after expanding aliases'))).toBe(true);
  });

  it('keys such as __proto__ are plain data', () => {
    const errors = checkPositions(`${META}image: a\nfrom: alpine\ndocker:\n  ENV:\n    __proto__: x\n`);
    expect(errors).toEqual([]);
    const { config } = parseWerfConfig(`${META}image: a\nfrom: alpine\ndocker:\n  ENV:\n    __proto__: x\n`);
    expect(Object.getOwnPropertyNames(config.images[0]?.docker?.env)).toEqual(['__proto__']);
  });
});
