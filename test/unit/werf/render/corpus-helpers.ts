// Shared inputs for the corpus render tests: each corpus file with the stand-in
// project files and env values it needs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProjectFiles } from '../../../../src/cli/project-files.js';
import type { RenderOptions } from '../../../../src/werf/render/index.js';

const repoRoot = join(import.meta.dirname, '../../../..');
/** shared/ sits beside the checkout (CI, /work/main) or two levels up (a worktree in /work/wt/NAME). */
export const corpusDir =
  [process.env.STAPEL_SHARED_DIR, join(repoRoot, '../shared'), join(repoRoot, '../../shared')]
    .filter((d): d is string => d !== undefined)
    .map((d) => join(d, 'corpus/werf'))
    // On a fresh clone without shared/, the byte-for-byte copy kept in test/fixtures/werf-corpus.
    .find((d) => existsSync(d)) ?? join(repoRoot, 'test/fixtures/werf-corpus');
export const fixturesDir = join(import.meta.dirname, '../../../fixtures/werf-corpus');

export interface CorpusCase {
  /** Snapshot name. */
  name: string;
  /** The text rendered as werf.yaml. */
  text: string;
  options: RenderOptions;
}

const env = {
  RUNNER_GIT_ACCESS_USER: 'ci-user',
  RUNNER_GIT_ACCESS_TOKEN: 'token-123',
  CI_URL: 'https://translator.example.test',
  ENVNAME: 'production',
};

export function corpusFiles(): string[] {
  return readdirSync(corpusDir)
    .filter((f) => f.endsWith('.werf.yaml'))
    .sort();
}

export function corpusCases(): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const file of corpusFiles()) {
    const name = file.replace(/\.werf\.yaml$/, '');
    const text = readFileSync(join(corpusDir, file), 'utf8');
    const standIns = join(fixturesDir, name);
    const files = existsSync(standIns) ? readProjectFiles(standIns) : new Map<string, string>();
    if (name === 'werf-website') {
      for (const werfEnv of ['production', 'test']) {
        cases.push({ name: `${name}.${werfEnv}`, text, options: { files, env, werfEnv } });
      }
      continue;
    }
    cases.push({ name, text, options: { files, env, werfEnv: 'production' } });
    if (name === 'translator-front-prod') {
      // The file is a partial: also render it the way its project does, via tpl from a parent.
      const parent = files.get('werf.yaml')!;
      const withPartial = new Map(files);
      withPartial.set('.werf-partial/front-prod.yaml', text);
      cases.push({
        name: `${name}.via-parent`,
        text: parent,
        options: { files: withPartial, env, werfEnv: 'prod' },
      });
    }
  }
  return cases;
}
