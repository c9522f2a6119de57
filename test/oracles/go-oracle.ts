// Builds a Go differential oracle under test/oracles/<name>/ into its
// git-ignored bin/ (once per source change) and asks it questions, one JSON
// line in, one answer line out.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('.', import.meta.url).pathname;

export function buildGoOracle(name: string): string {
  const dir = join(root, name);
  const bin = join(dir, 'bin', `${name}-oracle`);
  const newestSource = Math.max(
    ...readdirSync(dir)
      .filter((f) => /\.(go|mod|sum)$/.test(f))
      .map((f) => statSync(join(dir, f)).mtimeMs),
  );
  if (!existsSync(bin) || statSync(bin).mtimeMs < newestSource) {
    execFileSync('go', ['build', '-trimpath', '-o', bin, '.'], {
      cwd: dir,
      env: { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }
  return bin;
}

/** Sends every question as one JSON line and returns the oracle's answer lines in order. */
export function askOracle(bin: string, questions: unknown[]): string[] {
  const input = questions.map((q) => JSON.stringify(q)).join('\n') + '\n';
  const out = execFileSync(bin, [], { input, maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
  const lines = out.split('\n').slice(0, -1);
  if (lines.length !== questions.length) {
    throw new Error(`oracle ${bin} answered ${lines.length} of ${questions.length} questions`);
  }
  return lines;
}
