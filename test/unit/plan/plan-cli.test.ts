import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCommand } from '../../../src/cli/plan.js';
import { captureOutput } from '../support/capture-output.js';

// The `plan` command end to end, from source, as a user runs it.

const root = join(import.meta.dirname, '../../..');

/** Runs the command in this process; paths are relative to the repo. */
function plan(...args: string[]) {
  const absolute = args.map((a, i) => (args[i - 1] === '-f' && !isAbsolute(a) ? join(root, a) : a));
  return captureOutput(() => planCommand.run(absolute));
}

describe('stapel-operator plan', () => {
  it('plans the seed example: the importing stage waits for the source stage', async () => {
    const r = await plan('-f', 'examples/seed/werf.yaml');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(
      '  site  [final, requested]  needs: application-assets (import), frontend (import)',
    );
    const site = lines.slice(lines.indexOf('site:'));
    expect(site.find((l) => l.includes('dependenciesAfterInstall'))).toMatch(
      /waiting: needs import checksum of application-assets\/install:\/app\/public\/assets$/,
    );
    expect(site.find((l) => l.includes('dependenciesAfterSetup'))).toMatch(
      /waiting: after site\/beforeSetup; needs import checksum of frontend\/dockerInstructions:\/app\/assets$/,
    );
    expect(
      lines.find((l) => l.startsWith('  install') && lines.indexOf(l) > lines.indexOf('application-assets:')),
    ).toMatch(/^ {2}install +[0-9a-f]{56} {2}to build$/);
  });

  it('prints the plan as JSON with every stage, and the base image from --env', async () => {
    const r = await plan(
      '-f',
      'examples/seed/werf.yaml',
      '-o',
      'json',
      '--env',
      'BASE_IMAGE=127.0.0.1:5000/base:1',
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.images.map((i: { name: string }) => i.name)).toEqual([
      'application-assets',
      'frontend',
      'site',
    ]);
    expect(json.images[0].stages[0].recipe.base).toEqual({ kind: 'external', ref: '127.0.0.1:5000/base:1' });
  });

  it('renders every Dockerfile with --assume-facts and marks what rests on placeholders', async () => {
    const r = await plan(
      '-f',
      'examples/seed/werf.yaml',
      '--assume-facts',
      '-o',
      'dockerfiles',
      '--repository',
      'reg.local/shop',
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/placeholders/);
    expect(r.stdout).toContain(
      '# ---- site / dependenciesAfterInstall (assumed: depends on a placeholder fact)',
    );
    expect(r.stdout).toContain('COPY --chown=www:www ["imports/0/assets","/var/www/site/assets"]');
    expect(r.stdout).toContain('COPY --chown=1001:www ["imports/0/assets","/var/www/site/static"]');
    expect(r.stdout).toContain('# ---- application-assets / install\nFROM reg.local/shop:');
  });

  it('limits the plan to --images and what they need', async () => {
    const r = await plan('-f', 'examples/seed/werf.yaml', '--images', 'frontend');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('site:');
    expect(r.stdout).toContain('frontend:');
  });

  it('names an unknown --images entry as a problem of the option, not of a place in the file', async () => {
    const r = await plan('-f', 'examples/seed/werf.yaml', '--images', 'nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "stapel-operator plan: --images: requested image 'nope' is not in the config (images: application-assets, frontend, site)\n",
    );
    expect(r.stderr).not.toMatch(/:0:0/);
  });

  it('prints every config error with file:line:col and exits non-zero', async () => {
    const r = await plan('-f', 'test/fixtures/plan/bad-field.werf.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bad-field\.werf\.yaml:12:10: document 2 \(image "a"\): import\[0\]\.after: /m);
  });

  it('prints a cycle with its place in the file and exits non-zero', async () => {
    const r = await plan('-f', 'test/fixtures/plan/cycle.werf.yaml');
    expect(r.code).toBe(1);
    // The model's validation finds it first (the planner's own check is in planner.test.ts).
    expect(r.stderr).toMatch(
      /cycle\.werf\.yaml:10:10: document 3 \(image "b"\): import\[0\]\.image: .*cycle.*"a" -> "b" -> "a"/m,
    );
  });
});

describe('stapel-operator plan in a git work tree', () => {
  function repoWith(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'plan-git-'));
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    commitAll(dir);
    return dir;
  }
  function commitAll(dir: string) {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        stdio: 'pipe',
      });
    if (!existsSync(join(dir, '.git'))) git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'change');
  }
  const werfYaml = [
    'project: gitdemo',
    'configVersion: 1',
    '---',
    'image: app',
    'from: alpine:3.20',
    'git:',
    '- add: /src',
    '  to: /app',
    '  stageDependencies:',
    '    install: [package.json]',
    '    setup: ["**/*.js"]',
    'shell:',
    '  install: [cd /app && npm ci]',
    '  setup: [cd /app && npm run build]',
    '',
  ].join('\n');
  const digestsOf = async (dir: string) => {
    const r = await plan('-f', join(dir, 'werf.yaml'), '-o', 'json');
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout) as { images: { stages: { name: string; digest?: string }[] }[] };
    return Object.fromEntries(json.images[0]!.stages.map((s) => [s.name, s.digest]));
  };

  it('reads local mappings from HEAD, so a changed file rebuilds from the stage that copies it', async () => {
    const dir = repoWith({
      'werf.yaml': werfYaml,
      'src/package.json': '{}',
      'src/index.js': 'console.log(1)',
      'src/README.md': 'hello',
      'docs/unmapped.txt': 'x',
    });
    const first = await digestsOf(dir);
    expect(Object.keys(first)).toEqual(['from', 'gitArchive', 'install', 'setup']);
    expect(Object.values(first).every((d) => /^[0-9a-f]{56}$/.test(d ?? ''))).toBe(true);

    writeFileSync(join(dir, 'docs/unmapped.txt'), 'y');
    commitAll(dir);
    expect(await digestsOf(dir)).toEqual(first);

    writeFileSync(join(dir, 'src/index.js'), 'console.log(2)');
    commitAll(dir);
    const afterJs = await digestsOf(dir);
    expect(afterJs.gitArchive).toBe(first.gitArchive);
    expect(afterJs.install).toBe(first.install);
    expect(afterJs.setup).not.toBe(first.setup);

    writeFileSync(join(dir, 'src/README.md'), 'changed');
    commitAll(dir);
    const afterReadme = await digestsOf(dir);
    expect(afterReadme.from).toBe(first.from);
    expect(afterReadme.gitArchive).not.toBe(first.gitArchive);
    expect(afterReadme.install).not.toBe(afterJs.install);

    // Uncommitted edits are not seen, as in werf.
    writeFileSync(join(dir, 'src/package.json'), '{"dirty": true}');
    expect(await digestsOf(dir)).toEqual(afterReadme);
  });
});

describe('stapel-operator plan as a process', () => {
  it('runs from source like a user runs it and exits 0 on the seed', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'plan', '-f', 'examples/seed/werf.yaml'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^project shop, platform linux\/amd64 \(default\)$/m);
  }, 180_000);
});
