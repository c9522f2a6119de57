// `stapel-operator render` from source: prints the rendered text, reads
// .Files and partials from --dir, env values from --env, fails clearly.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const main = join(import.meta.dirname, '../../../src/cli/main.ts');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, 'render', ...args], {
    encoding: 'utf8',
    env: { ...process.env, SECRET_FROM_PROCESS: 'must-not-leak' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'render-cli-'));
  mkdirSync(join(dir, '.werf/partials'), { recursive: true });
  writeFileSync(join(dir, '.werf/partials/base.tmpl'), '{{ define "base" }}from: {{ . }}{{ end }}');
  writeFileSync(join(dir, 'nginx.conf'), 'worker_processes 1;\n');
  writeFileSync(
    join(dir, 'werf.yaml'),
    [
      'project: demo',
      'configVersion: 1',
      '---',
      'image: web',
      '{{ include "base" "nginx:1.25" }}',
      'shell:',
      '  install:',
      '  - echo {{ env "GREETING" }} {{ env "SECRET_FROM_PROCESS" "unset" }}',
      '  - echo {{ .Files.Get "nginx.conf" | trim | quote }}',
      '',
    ].join('\n'),
  );
  return dir;
}

// Each case starts node with tsx; on a loaded machine that alone can take tens of seconds.
describe('stapel-operator render', { timeout: 120_000 }, () => {
  it('renders with partials, .Files and --env values, never the process environment', () => {
    const dir = project();
    const r = cli(['-f', join(dir, 'werf.yaml'), '--env', 'GREETING=hello']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'project: demo',
        'configVersion: 1',
        '---',
        'image: web',
        'from: nginx:1.25',
        'shell:',
        '  install:',
        '  - echo hello unset',
        '  - echo "worker_processes 1;"',
        '',
      ].join('\n'),
    );
  });

  it('reports a missing env value with file, line and column', () => {
    const dir = project();
    const r = cli(['-f', join(dir, 'werf.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'werf.yaml:8:13: error calling env: environment variable "GREETING" is not set',
    );
  });

  it('rejects bad options with usage', () => {
    const r = cli(['--env', 'NOEQUALS']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--env expects K=V');
  });
});
