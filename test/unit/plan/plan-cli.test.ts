import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The `plan` command end to end, from source, as a user runs it.

const root = join(import.meta.dirname, '../../..');
function plan(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'plan', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('stapel-operator plan', () => {
  it('plans the seed example: the importing stage waits for the source stage', () => {
    const r = plan('-f', 'examples/seed/werf.yaml');
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

  it('prints the plan as JSON with every stage, and the base image from --env', () => {
    const r = plan(
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

  it('renders every Dockerfile with --assume-facts and marks what rests on placeholders', () => {
    const r = plan(
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

  it('limits the plan to --images and what they need', () => {
    const r = plan('-f', 'examples/seed/werf.yaml', '--images', 'frontend');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('site:');
    expect(r.stdout).toContain('frontend:');
  });

  it('prints every config error with file:line:col and exits non-zero', () => {
    const r = plan('-f', 'test/fixtures/plan/bad-field.werf.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^bad-field\.werf\.yaml:12:10: document 2 \(image "a"\): import\[0\]\.after: /m);
  });

  it('prints a cycle with its place in the file and exits non-zero', () => {
    const r = plan('-f', 'test/fixtures/plan/cycle.werf.yaml');
    expect(r.code).toBe(1);
    // The model's validation finds it first (the planner's own check is in planner.test.ts).
    expect(r.stderr).toMatch(
      /^cycle\.werf\.yaml:10:10: document 3 \(image "b"\): import\[0\]\.image: .*cycle.*"a" -> "b" -> "a"/m,
    );
  });
});
