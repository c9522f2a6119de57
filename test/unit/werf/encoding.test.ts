import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitSourceAccess } from '../../../src/reconciler/git-source.js';
import { decodeUtf8, encodingMessage } from '../../../src/werf/encoding.js';
import { makeTempRoot, startHttpGitServer, TestRepo } from '../git/git-servers.js';
import { imageBuild } from '../reconciler/fixtures.js';

// werf.yaml is UTF-8 (werf's yaml.v2 rejects other bytes): a Latin-1 file is
// an error at the first bad byte, not text with U+FFFD in a shell command.

const META = 'project: t\nconfigVersion: 1\n---\n';
const latin1 = Buffer.concat([
  Buffer.from(`${META}image: a\nfrom: alpine\nshell:\n  install: [echo caf`),
  Buffer.from([0xe9]),
  Buffer.from(']\n'),
]);

describe('decodeUtf8', () => {
  it('decodes UTF-8, a BOM included', () => {
    expect(decodeUtf8(Buffer.from('\uFEFFé😀\n'))).toEqual({ ok: true, text: '\uFEFFé😀\n' });
  });

  it('names the line, the column in characters and the byte of the first invalid sequence', () => {
    expect(decodeUtf8(latin1)).toEqual({ ok: false, problem: { line: 7, column: 21, byte: 0xe9 } });
    const cases: [number[], number][] = [
      [[0x61, 0xff], 2], // never valid
      [[0xc3, 0x41], 1], // missing continuation
      [[0xc0, 0x80], 1], // overlong
      [[0xed, 0xa0, 0x80], 1], // surrogate
      [[0xf4, 0x90, 0x80, 0x80], 1], // past U+10FFFF
      [[0xc3, 0xa9, 0xe2, 0x82], 2], // truncated at the end
    ];
    for (const [bytes, column] of cases) {
      const result = decodeUtf8(Uint8Array.from(bytes));
      expect(result.ok ? 0 : result.problem.column, JSON.stringify(bytes)).toBe(column);
    }
    expect(encodingMessage('werf.yaml', { line: 7, column: 21, byte: 0xe9 })).toBe(
      'werf.yaml:7:21: invalid UTF-8 (byte 0xe9); werf reads werf.yaml as UTF-8: convert the file (e.g. iconv -f latin1 -t utf-8)',
    );
  });
});

describe('decodeUtf8 on UTF-16 and on a bad first byte', () => {
  it('tells a UTF-16 byte order mark from Latin-1, so the advice is to convert from UTF-16', () => {
    const le = Buffer.from('\uFEFFproject: t\n', 'utf16le');
    expect(decodeUtf8(le)).toEqual({ ok: false, problem: { line: 1, column: 1, byte: 0xff, utf16: 'LE' } });
    const be = Buffer.from(le).swap16();
    const problem = decodeUtf8(be);
    expect(problem).toEqual({ ok: false, problem: { line: 1, column: 1, byte: 0xfe, utf16: 'BE' } });
    expect(problem.ok ? '' : encodingMessage('werf.yaml', problem.problem)).toBe(
      'werf.yaml:1:1: the file is UTF-16 (it starts with the byte order mark FE FF); werf reads werf.yaml as UTF-8: convert the file (e.g. iconv -f utf-16 -t utf-8)',
    );
  });

  it('puts an invalid first byte on line 1, whatever newlines follow', () => {
    expect(decodeUtf8(Buffer.from([0xe9, 0x0a, 0x61, 0x0a]))).toEqual({
      ok: false,
      problem: { line: 1, column: 1, byte: 0xe9 },
    });
  });
});

describe('a werf.yaml that is not UTF-8', () => {
  const root = makeTempRoot();
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('stapel-operator validate reports it and exits 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'encoding-'));
    writeFileSync(join(dir, 'werf.yaml'), latin1);
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'validate', '-f', join(dir, 'werf.yaml')],
      {
        cwd: join(import.meta.dirname, '../../..'),
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('werf.yaml:7:21: invalid UTF-8 (byte 0xe9)');
  });

  it('read from git, it is reported by path for ConfigInvalid', async () => {
    const repo = new TestRepo(root, 'latin1');
    writeFileSync(join(repo.work, 'werf.yaml'), latin1);
    repo.commit({});
    const server = await startHttpGitServer(root);
    try {
      const build = imageBuild({
        config: undefined,
        source: { git: { url: server.urlOf('latin1'), revision: 'main' } },
      });
      const opened = await new GitSourceAccess({ cacheDir: join(root, 'cache') }).openPass(
        build,
        {} as never,
      );
      if (!opened.ok) throw new Error(opened.failure.message);
      const read = await opened.pass.readConfig('werf.yaml');
      expect(read.encodingError).toBe(
        'werf.yaml:7:21: invalid UTF-8 (byte 0xe9); werf reads werf.yaml as UTF-8: convert the file (e.g. iconv -f latin1 -t utf-8)',
      );
    } finally {
      await server.close();
    }
  });
});
