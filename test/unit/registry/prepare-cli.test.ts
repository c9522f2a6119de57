// The `prepare` command end to end for what needs no registry: the
// Dockerfile, git mappings (over git http-backend on loopback), and clear
// failures for bad specs.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrepareSpec } from '../../../src/plan/prepare-spec.js';
import { type HttpGitServer, makeTempRoot, startHttpGitServer, TestRepo } from '../git/git-servers.js';

const exec = promisify(execFile);
let root: string;
let http: HttpGitServer;
let commit: string;

beforeAll(async () => {
  root = makeTempRoot('prepare-cli-');
  const repo = new TestRepo(root, 'site');
  commit = repo.commit({
    'app/docs/readme.md': '# docs\n',
    'app/docs/skip.tmp': 'x',
    'app/main.go': 'package main\n',
  });
  http = await startHttpGitServer(root);
});
afterAll(async () => {
  await http?.close();
  rmSync(root, { recursive: true, force: true });
});

function spec(over: Partial<PrepareSpec>): PrepareSpec {
  return {
    apiVersion: 'stapel.dev/prepare/v1',
    image: 'site',
    stage: 'gitArchive',
    digest: 'c'.repeat(56),
    dockerfile: 'FROM scratch\nCOPY ["git/0/docs", "/docs"]\n',
    imports: [],
    git: [],
    insecureRegistries: [],
    ...over,
  };
}

async function prepare(name: string, s: unknown, how: 'file' | 'env' = 'file') {
  const workspace = join(root, name);
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'prepare', '--workspace', workspace];
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DOCKER_CONFIG: join(root, 'none'),
  };
  if (how === 'file') {
    writeFileSync(join(root, `${name}.json`), typeof s === 'string' ? s : JSON.stringify(s));
    args.push('--spec', join(root, `${name}.json`));
  } else {
    env.STAPEL_PREPARE_SPEC = JSON.stringify(s);
    args.push('--spec-env', 'STAPEL_PREPARE_SPEC');
  }
  const r = await exec(process.execPath, args, { env }).then(
    (x) => ({ code: 0, ...x }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  return { workspace, ...r };
}

describe('stapel-operator prepare', () => {
  it('writes the Dockerfile and the git mapping files from the spec in an environment variable', async () => {
    const s = spec({
      git: [
        {
          dir: 'git/0',
          path: 'git/0/docs',
          url: http.urlOf('site'),
          commit,
          add: '/app/docs',
          to: '/docs',
          includePaths: [],
          excludePaths: ['*.tmp'],
          selectPaths: [],
          skipPaths: [],
        },
      ],
    });
    const r = await prepare('git', s, 'env');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(r.workspace, 'Dockerfile'), 'utf8')).toBe(s.dockerfile);
    expect(readFileSync(join(r.workspace, 'git/0/docs/readme.md'), 'utf8')).toBe('# docs\n');
    expect(existsSync(join(r.workspace, 'git/0/docs/skip.tmp'))).toBe(false);
    expect(existsSync(join(r.workspace, '.git-cache'))).toBe(false);
    expect(r.stdout).toContain('git 0 ');
  });

  it('names the spec source and the bad field', async () => {
    const bad = await prepare('bad', { ...spec({}), imports: [{ dir: 'imports/0' }] });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('invalid prepare spec');
    expect(bad.stderr).toMatch(/imports\.0\.path: /);
    const notJson = await prepare('not-json', '{"apiVersion":');
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('not-json.json: not valid JSON');
  });

  it('says when the spec variable is missing and prints usage for bad arguments', async () => {
    const r = await exec(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'prepare', '--workspace', root, '--spec-env', 'NOPE_NOT_SET'],
      {
        env: { ...process.env, NOPE_NOT_SET: '' },
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(1);
    expect((r as { stderr: string }).stderr).toContain('environment variable NOPE_NOT_SET is not set');
    const usage = await exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'prepare']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((usage as { code: number }).code).toBe(2);
    expect((usage as { stderr: string }).stderr).toContain('Usage: stapel-operator prepare --workspace DIR');
  });
});
