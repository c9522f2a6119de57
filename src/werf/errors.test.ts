import { describe, expect, it } from 'vitest';
import { formatWerfConfigError, formatYamlPath } from './errors.js';

describe('formatYamlPath', () => {
  it('writes keys with dots and indexes in brackets', () => {
    expect(formatYamlPath(['import', 1, 'after'])).toBe('import[1].after');
    expect(formatYamlPath(['docker', 'ENV', 'A_B'])).toBe('docker.ENV.A_B');
  });
  it('quotes keys that are not identifiers and names the empty path', () => {
    expect(formatYamlPath(['docker', 'LABEL', 'a.b/c'])).toBe('docker.LABEL["a.b/c"]');
    expect(formatYamlPath([])).toBe('(document)');
  });
});

describe('formatWerfConfigError', () => {
  it('names file, line, column, document (from 1), image and path', () => {
    const line = formatWerfConfigError('werf.yaml', {
      code: 'rule',
      docIndex: 2,
      imageName: 'app',
      path: ['import', 1, 'after'],
      line: 14,
      column: 10,
      message: 'expected "install" or "setup"',
    });
    expect(line).toBe(
      'werf.yaml:14:10: document 3 (image "app"): import[1].after: expected "install" or "setup"',
    );
  });
  it('says artifact for an artifact document', async () => {
    const { parseWerfConfig } = await import('./parse-config.js');
    const text = 'project: p\nconfigVersion: 1\n---\nartifact: builder\nfrom: alpine\nshell: {instal: [a]}\n';
    const [error] = parseWerfConfig(text, { fileName: 'werf.yaml' }).errors;
    expect(formatWerfConfigError('werf.yaml', error!)).toMatch(
      /^werf\.yaml:6:9: document 2 \(artifact "builder"\): shell\.instal: unknown field "instal"/,
    );
  });
  it('leaves out the document for file-wide errors', () => {
    const line = formatWerfConfigError('w.yaml', {
      code: 'rule',
      docIndex: -1,
      imageName: undefined,
      path: [],
      line: 1,
      column: 1,
      message: 'no meta document',
    });
    expect(line).toBe('w.yaml:1:1: no meta document');
  });
});
