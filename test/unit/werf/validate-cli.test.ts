import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

function validate(text: string, ...extra: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'validate-'));
  const file = join(dir, 'werf.yaml');
  writeFileSync(file, text);
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'validate', '-f', file, ...extra],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr.replaceAll(file, 'werf.yaml') };
}

describe('stapel-operator validate', () => {
  it('prints every error with file, line, column, document, image and path, and exits 1', () => {
    const text =
      'project: t\nconfigVersion: 1\n---\nimage: app\nfrom: alpine\nimport:\n- {from: nope, add: /x, after: install}\n- {from: alpine:3.20, add: /, to: /, before: instal}\n';
    const { status, stderr } = validate(text);
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'werf.yaml:7:10: document 2 (image "app"): import[0].from: import source "nope" is not an image of this config; for an external image give a tag or digest (e.g. "nope:latest")',
      'werf.yaml:8:3: document 2 (image "app"): import[1]: "add: /" needs "includePaths": importing the whole root filesystem of the source is refused; list the files to take',
      'werf.yaml:8:46: document 2 (image "app"): import[1].before: expected one of "install", "setup", got "instal"',
      'werf.yaml: 3 errors',
    ]);
  });

  it('exits 0 on a valid file and prints warnings without failing', () => {
    const text =
      'project: t\nconfigVersion: 1\n---\nimage: s\nfrom: alpine\nfinal: false\n---\nimage: app\nfrom: alpine\nimport:\n- {from: s, add: /x, to: /opt/, after: install}\n';
    const { status, stdout, stderr } = validate(text);
    expect(status).toBe(0);
    expect(stdout).toMatch(/werf\.yaml: valid \(2 images\)\n$/);
    expect(stderr).toMatch(
      /^werf\.yaml:11:26: document 3 \(image "app"\): import\[0\]\.to: "to" ends with "\/".*\(warning\)\n$/,
    );
  });

  it('--loose-giterminism allows what werf-giterminism.yaml would', () => {
    const text = 'project: t\nconfigVersion: 1\n---\nimage: app\nfrom: alpine\nfromLatest: true\n';
    expect(validate(text).status).toBe(1);
    expect(validate(text, '--loose-giterminism').status).toBe(0);
  });

  it("reads the project's werf-giterminism.yaml, and reports its errors", () => {
    const dir = mkdtempSync(join(tmpdir(), 'validate-'));
    writeFileSync(
      join(dir, 'werf.yaml'),
      'project: t\nconfigVersion: 1\n---\nimage: app\nfrom: alpine\ngit:\n- {url: "https://git.example/l.git", branch: main, add: /, to: /l}\n',
    );
    const cli = () =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'validate', '--dir', dir], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    expect(cli().stderr).toContain('allow branches with config.stapel.git.allowBranch');
    const rules = join(dir, 'werf-giterminism.yaml');
    writeFileSync(rules, 'giterminismConfigVersion: 1\nconfig: {stapel: {git: {allowBranch: true}}}\n');
    expect(cli().status).toBe(0);
    writeFileSync(rules, 'giterminismConfigVersion: 1\nconfig: {stapel: {git: {alowBranch: true}}}\n');
    const broken = cli();
    expect(broken.stderr).toBe(`${rules}:2:25: config.stapel.git.alowBranch: unknown field "alowBranch"\n`);
    expect(broken.status).toBe(1);
  });

  it('reads werf.yaml from --dir without -f, and names a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'validate-'));
    const cli = () =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'validate', '--dir', dir], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    const missing = cli();
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`cannot read ${join(dir, 'werf.yaml')}`);
    writeFileSync(join(dir, 'werf.yaml'), 'project: t\nconfigVersion: 1\n---\nimage: app\nfrom: alpine\n');
    const found = cli();
    expect(found.stdout).toBe(`${join(dir, 'werf.yaml')}: valid (1 image)\n`);
    expect(found.status).toBe(0);
  });
});

describe('stapel-operator validate on a template', () => {
  it('renders first, then reports errors at lines of the rendered text', () => {
    const text =
      'project: t\nconfigVersion: 1\n{{- range $n := list "a" "b" }}\n---\nimage: {{ $n }}\nfrom: alpine\nfinal: {{ env "FINAL" }}\n{{- end }}\n';
    const bad = validate(text, '--env', 'FINAL=maybe');
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toEqual([
      'werf.yaml:6:8: document 2 (image "a"): final: expected true or false, got the string "maybe"',
      'werf.yaml:10:8: document 3 (image "b"): final: expected true or false, got the string "maybe"',
      'werf.yaml: 2 errors',
    ]);
    expect(validate(text, '--env', 'FINAL=false').status).toBe(0);
  });

  it('reports a render failure with its position', () => {
    const { status, stderr } = validate('project: t\nconfigVersion: 1\n---\nimage: {{ .Nope.X }\n');
    expect(status).toBe(1);
    expect(stderr).toMatch(/^werf\.yaml:4:\d+: /);
  });
});
