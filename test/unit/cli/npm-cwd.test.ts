// `npm run -s cli -- ...` from a subfolder: npm starts the script in the
// package root, but the user's relative paths mean where they typed them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

describe('the CLI through npm run', () => {
  it('resolves relative paths against the folder the command was typed in', () => {
    const run = spawnSync('npm', ['run', '-s', 'cli', '--', 'validate', '-f', 'werf.yaml'], {
      cwd: join(ROOT, 'examples/seed'),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^werf\.yaml: valid \(\d+ images\)\n$/);
    expect(run.status).toBe(0);
  });
});
