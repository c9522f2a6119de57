import { describe, expect, it } from 'vitest';
import { giterminismFromProjectFiles, parseGiterminismFile } from './giterminism-file.js';

describe('parseGiterminismFile', () => {
  it('takes the stapel and secrets rules of the config section', () => {
    const text = [
      'giterminismConfigVersion: 1',
      'cli: {allowCustomTags: true}',
      'config:',
      '  goTemplateRendering: {allowEnvVariables: [CI_COMMIT_TAG]}',
      '  stapel:',
      '    allowFromLatest: true',
      '    git: {allowBranch: true}',
      '    mount: {allowBuildDir: true, allowFromPaths: [/cache/**]}',
      '  secrets: {allowValueIds: [npmrc]}',
      'helm: {allowUncommittedFiles: ["*"]}',
      '',
    ].join('\n');
    expect(parseGiterminismFile(text)).toEqual({
      config: {
        stapel: {
          allowFromLatest: true,
          git: { allowBranch: true },
          mount: { allowBuildDir: true, allowFromPaths: ['/cache/**'] },
        },
        secrets: { allowValueIds: ['npmrc'] },
      },
      errors: [],
    });
    expect(parseGiterminismFile('giterminismConfigVersion: "1"\n')).toEqual({ config: {}, errors: [] });
  });

  it('refuses a misspelt rule, a wrong type and a missing version, with line and path', () => {
    const text = 'giterminismConfigVersion: 1\nconfig:\n  stapel:\n    git:\n      allowBranches: true\n';
    expect(parseGiterminismFile(text, 'deploy/werf-giterminism.yaml').errors).toEqual([
      'deploy/werf-giterminism.yaml:5:7: config.stapel.git.allowBranches: unknown field "allowBranches"',
    ]);
    const wrongType = parseGiterminismFile(
      'giterminismConfigVersion: 1\nconfig:\n  stapel:\n    allowFromLatest: "yes"\n',
    );
    expect(wrongType.errors).toHaveLength(1);
    expect(wrongType.errors[0]).toMatch(
      /^werf-giterminism\.yaml:4:22: config\.stapel\.allowFromLatest: .*boolean/,
    );
    expect(parseGiterminismFile('config: {}\n').errors).toEqual([
      'werf-giterminism.yaml:1:1: giterminismConfigVersion: must be 1 (the only version werf knows)',
    ]);
    expect(parseGiterminismFile('config: [\n').errors[0]).toMatch(/^werf-giterminism\.yaml:\d+:\d+: /);
  });

  it('reports every unknown key, and refuses alias bombs, unresolved aliases and oversized files with a place', () => {
    expect(
      parseGiterminismFile('giterminismConfigVersion: 1\nconfig: {stapel: {a: 1, b: 2}}\n').errors,
    ).toEqual([
      'werf-giterminism.yaml:2:19: config.stapel.a: unknown field "a"',
      'werf-giterminism.yaml:2:25: config.stapel.b: unknown field "b"',
    ]);
    const level = (name: string, of: string) => `${name}: &${name} [${Array(10).fill(of).join(',')}]`;
    const bomb = [level('a', 'x'), level('b', '*a'), level('c', '*b'), level('d', '*c'), ''].join('\n');
    expect(parseGiterminismFile(bomb).errors).toEqual([
      'werf-giterminism.yaml:1:1: Excessive alias count indicates a resource exhaustion attack',
    ]);
    expect(
      parseGiterminismFile('giterminismConfigVersion: 1\nconfig: {stapel: {allowFromLatest: *nope}}\n')
        .errors[0],
    ).toMatch(/^werf-giterminism\.yaml:\d+:\d+: .*nope/);
    expect(parseGiterminismFile(`giterminismConfigVersion: 1\n#${'x'.repeat(300_000)}\n`).errors).toEqual([
      'werf-giterminism.yaml:1:1: the file is larger than 256 KiB; it holds a few rules',
    ]);
  });

  it('takes YAML merge keys, as werf does', () => {
    const text =
      'giterminismConfigVersion: 1\nconfig:\n  stapel:\n    git: &branches {allowBranch: true}\n    mount:\n      <<: {allowBuildDir: true}\n';
    expect(parseGiterminismFile(text)).toEqual({
      config: { stapel: { git: { allowBranch: true }, mount: { allowBuildDir: true } } },
      errors: [],
    });
  });

  it('reads the file from a project file set, and allows nothing without it', () => {
    const files = new Map([
      [
        'werf-giterminism.yaml',
        'giterminismConfigVersion: 1\nconfig: {stapel: {git: {allowBranch: true}}}\n',
      ],
    ]);
    expect(giterminismFromProjectFiles(files).config).toEqual({ stapel: { git: { allowBranch: true } } });
    expect(giterminismFromProjectFiles(new Map([['werf.yaml', '']]))).toEqual({ config: {}, errors: [] });
    expect(giterminismFromProjectFiles(undefined)).toEqual({ config: {}, errors: [] });
    const bad = new Map([['werf-giterminism.yaml', 'giterminismConfigVersion: 2\n']]);
    expect(giterminismFromProjectFiles(bad, '/deploy/').errors[0]).toMatch(
      /^deploy\/werf-giterminism\.yaml:1:27: /,
    );
  });
});
