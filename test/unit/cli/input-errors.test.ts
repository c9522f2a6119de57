// plan, render and validate treat bad input alike: the same exit codes (2
// when the file cannot be read or is not UTF-8, 1 for errors in the config),
// the same message prefixes, the file named once, the same error count line.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCommand } from '../../../src/cli/plan.js';
import { renderCommand } from '../../../src/cli/render.js';
import { validateCommand } from '../../../src/cli/validate.js';
import { captureOutput } from '../support/capture-output.js';

const commands = { plan: planCommand, render: renderCommand, validate: validateCommand };
type Name = keyof typeof commands;
const names = Object.keys(commands) as Name[];

/** Runs a command in this process. */
function run(name: Name, ...args: string[]) {
  return captureOutput(() => commands[name].run(args));
}

function file(content: string | Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), 'input-errors-')), 'werf.yaml');
  writeFileSync(path, content);
  return path;
}

const META = 'project: t\nconfigVersion: 1\n---\n';

describe('plan, render and validate on input they cannot read', () => {
  it('a file that is not UTF-8: exit 2, the file and place named once, Latin-1 advice', async () => {
    const path = file(
      Buffer.concat([Buffer.from(`${META}image: a\nfrom: alpine\n# caf`), Buffer.from([0xe9, 0x0a])]),
    );
    for (const name of names) {
      const r = await run(name, '-f', path);
      expect([name, r.code, r.stderr]).toEqual([
        name,
        2,
        `${path}:6:6: invalid UTF-8 (byte 0xe9); werf reads werf.yaml as UTF-8: convert the file (e.g. iconv -f latin1 -t utf-8)\n`,
      ]);
    }
  });

  it('a UTF-16 file (either byte order mark): exit 2, told to convert from UTF-16', async () => {
    const text = `${META}image: a\nfrom: alpine\n`;
    const le = file(Buffer.from(`\uFEFF${text}`, 'utf16le'));
    const be = file(Buffer.from(`\uFEFF${text}`, 'utf16le').swap16());
    for (const name of names) {
      for (const [path, bom] of [
        [le, 'FF FE'],
        [be, 'FE FF'],
      ] as const) {
        const r = await run(name, '-f', path);
        expect([name, r.code, r.stderr]).toEqual([
          name,
          2,
          `${path}:1:1: the file is UTF-16 (it starts with the byte order mark ${bom}); werf reads werf.yaml as UTF-8: convert the file (e.g. iconv -f utf-16 -t utf-8)\n`,
        ]);
      }
    }
  });

  it('a missing file: exit 2, "stapel-operator COMMAND:" and the path once', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'input-errors-')), 'werf.yaml');
    for (const name of names) {
      const r = await run(name, '-f', path);
      expect([r.code, r.stderr]).toEqual([
        2,
        `stapel-operator ${name}: cannot read ${path}: ENOENT: no such file or directory\n`,
      ]);
    }
  });

  it('a bad option: exit 2, "stapel-operator COMMAND:" then the usage', async () => {
    for (const name of names) {
      const r = await run(name, '--nope');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^stapel-operator ${name}: unknown option "--nope"\\n\\nUsage: `));
    }
  });
});

describe('plan, render and validate on errors in the config', () => {
  it('a template error: exit 1, the error at its place, then the count', async () => {
    const path = file(`${META}{{ if true }}\nimage: a\nfrom: alpine\n`);
    for (const name of names) {
      const r = await run(name, '-f', path);
      expect([name, r.code, r.stderr]).toEqual([
        name,
        1,
        `${path}:4:1: unexpected EOF: {{if}} opened at 4:1 has no {{end}}\n${path}: 1 error\n`,
      ]);
    }
  });

  it('errors of the config: plan and validate end with the same "FILE: N errors" line', async () => {
    const path = file(`${META}image: a\nfrom: alpine\nfinal: maybe\nfromLatest: perhaps\n`);
    for (const name of ['plan', 'validate'] as const) {
      const r = await run(name, '-f', path, '--loose-giterminism');
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[2]).toBe(`${path}: 2 errors`);
    }
  });
});

describe('validate on a template with several errors', () => {
  it('reports the first only, and its --help and the README say so', async () => {
    const path = file(`${META}image: {{ fail "first" }}\nfrom: {{ fail "second" }}\n`);
    const r = await run('validate', '-f', path);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/:4:\d+: .*first/),
      `${path}: 1 error`,
    ]);
    const help = await run('validate', '--help');
    expect(help.stdout).toContain('Rendering stops at the first template error');
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
    expect(readme).toContain('Rendering stops at the\nfirst template error');
  });
});
