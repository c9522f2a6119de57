import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DockerfileValueError,
  execForm,
  parseExecForm,
  plainValue,
  quotedWord,
  runInstruction,
} from '../../../src/plan/dockerfile-syntax.js';

// The RUN line is proven by executing it: the argv is read back from the
// rendered Dockerfile line exactly as a Dockerfile parser reads exec form
// (JSON), then run with the real /bin/sh (dash) and bash on this machine.

/** A PATH without bash, so the launcher falls back to /bin/sh as on busybox images. */
function pathWithoutBash(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nobash-'));
  for (const tool of ['find', 'rm', 'mkdir', 'cat', 'ls']) symlinkSync(`/usr/bin/${tool}`, join(dir, tool));
  return dir;
}
const NO_BASH_PATH = pathWithoutBash();

function runRendered(line: string, opts: { bash: boolean; cwd?: string }) {
  const [program, ...args] = parseExecForm(line);
  const env = { PATH: opts.bash ? '/usr/bin:/bin' : NO_BASH_PATH, HOME: '/tmp' };
  return spawnSync(program!, args, { env, cwd: opts.cwd ?? tmpdir(), encoding: 'utf8' });
}

const tricky: Array<[string, string[], string]> = [
  ['single quotes', [`echo 'it''s' "it's"`], "its it's\n"],
  ['double quotes and escapes', ['echo "a \\"quoted\\" word"'], 'a "quoted" word\n'],
  ['dollar signs stay for the shell', ['X=1; echo "$X" \'$X\' \\$X'], '1 $X $X\n'],
  ['backslashes', ['printf "%s\\n" "back\\\\slash" \'C:\\dir\\\''], 'back\\slash\nC:\\dir\\\n'],
  ['newline inside one command', ['printf "%s\\n" "line1\nline2"'], 'line1\nline2\n'],
  [
    'heredoc as one command',
    ['cat <<EOF\nhello $((1+2))\n"quoted" \'single\'\nEOF'],
    'hello 3\n"quoted" \'single\'\n',
  ],
  ['quoted heredoc keeps $', ["cat <<'EOF'\n$HOME `x` \\n\nEOF"], '$HOME `x` \\n\n'],
  ['unicode and tabs', ['printf "%s\\n" "ünïcødé\tτ"'], 'ünïcødé\tτ\n'],
  ['backticks and subshells', ['echo `echo a` $(echo b)'], 'a b\n'],
  ['commands share one script', ['A=first', 'echo "$A"'], 'first\n'],
  ['a JSON-looking command', ['echo \'["/bin/sh", "-c"]\''], '["/bin/sh", "-c"]\n'],
  ['trailing backslash-newline continuation', ['echo one \\\ntwo'], 'one two\n'],
  ['carriage return', ['printf "a\\rb"'], 'a\rb'],
];

describe('RUN instruction', () => {
  for (const bash of [false, true]) {
    describe(bash ? 'under bash' : 'under /bin/sh (no bash in the image)', () => {
      for (const [name, commands, expected] of tricky) {
        it(`runs ${name}`, () => {
          const line = runInstruction(commands);
          expect(line).not.toMatch(/\n/);
          const result = runRendered(line, { bash });
          expect(result.stderr).toBe('');
          expect(result.stdout).toBe(expected);
          expect(result.status).toBe(0);
        });
      }
    });
  }

  it('uses bash when the image has it and /bin/sh otherwise', () => {
    const line = runInstruction(['if [ -n "${BASH_VERSION:-}" ]; then echo bash; else echo sh; fi']);
    expect(runRendered(line, { bash: true }).stdout).toBe('bash\n');
    expect(runRendered(line, { bash: false }).stdout).toBe('sh\n');
  });

  it('stops at the first failing command (set -e) and fails the step', () => {
    const line = runInstruction(['echo before', 'false', 'echo after']);
    for (const bash of [false, true]) {
      const result = runRendered(line, { bash });
      expect(result.stdout).toBe('before\n');
      expect(result.status).toBe(1);
    }
  });

  it('keeps the exit status of the failing command', () => {
    const result = runRendered(runInstruction(['exit 7']), { bash: false });
    expect(result.status).toBe(7);
  });

  it('runs the commands in / like werf, whatever the working directory', () => {
    const result = runRendered(runInstruction(['pwd']), { bash: false, cwd: tmpdir() });
    expect(result.stdout).toBe('/\n');
  });

  it('creates mount targets for the script and empties them afterwards', () => {
    const root = mkdtempSync(join(tmpdir(), 'mounts-'));
    const target = join(root, 'tmp_dir');
    const line = runInstruction(
      [`echo content > ${target}/file`, `mkdir ${target}/.hidden`, `ls -A ${target}`],
      [target],
    );
    const result = runRendered(line, { bash: false });
    expect(result.stdout).toBe('.hidden\nfile\n');
    expect(result.status).toBe(0);
    expect(readdirSync(target)).toEqual([]);
  });

  it('runs a stage without commands as a no-op', () => {
    const result = runRendered(runInstruction([]), { bash: false });
    expect(result.status).toBe(0);
  });

  it('behaves the same on busybox sh, the shell of the seed example images', () => {
    const script = parseExecForm(runInstruction(tricky.flatMap(([, c]) => c).slice(0, 7)))[3]!;
    const expected = tricky
      .slice(0, 6)
      .map(([, , out]) => out)
      .join('');
    const out = execFileSync('busybox', ['sh', '-e', '-c', script], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin' },
    });
    expect(out.startsWith(expected)).toBe(true);
  });
});

describe('Dockerfile words', () => {
  it('JSON-escapes exec form and refuses NUL', () => {
    expect(execForm(['a"b', 'c\\d', 'e\nf'])).toBe('["a\\"b","c\\\\d","e\\nf"]');
    expect(() => execForm(['a\0b'])).toThrow(DockerfileValueError);
  });

  it('escapes the three characters special inside double quotes', () => {
    expect(quotedWord('a "b" $c \\d', 'ENV value')).toBe('"a \\"b\\" \\$c \\\\d"');
    expect(() => quotedWord('a\nb', 'ENV value')).toThrow(/line break/);
  });

  it('refuses values that expanding instructions would interpret', () => {
    expect(plainValue('/var/www/site assets', 'COPY destination')).toBe('/var/www/site assets');
    for (const bad of ['/a$b', '/a\\b', '/a"b', "/a'b", '/a\nb', '']) {
      expect(() => plainValue(bad, 'COPY destination')).toThrow(DockerfileValueError);
    }
  });

  it('writes files with exactly the bytes a heredoc command produces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heredoc-'));
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'expected'), 'x=$y\n\\z\n');
    const line = runInstruction([
      `cat > ${dir}/out/f <<'END'\nx=$y\n\\z\nEND`,
      `cmp ${dir}/out/f ${dir}/expected`,
    ]);
    const result = runRendered(line, { bash: true });
    expect(result.status).toBe(0);
  });
});
