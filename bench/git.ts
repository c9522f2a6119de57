// Prints how long the git source takes on a large tree and a real repository.
// Run: node --import tsx bench/git.ts [files]
// Figures only; nothing here asserts a duration.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeMappingFacts, type GitMappingInput } from '../src/git/facts.js';
import { layoutGitMapping } from '../src/git/layout.js';
import { GitRepositoryCache } from '../src/git/repository.js';
import type { TreeEntry } from '../src/git/tree.js';

const files = Number(process.argv[2] ?? 20000);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const extOf = (i: number) => ['ts', 'test.ts', 'json', 'md'][i % 4];

const mapping: GitMappingInput = {
  add: '/src',
  includePaths: ['**/*.ts', '**/*.json'],
  excludePaths: ['**/*.test.ts'],
  stageDependencies: { install: ['package.json'], beforeSetup: [], setup: ['lib/**/*.ts'] },
};

// 1. Pure hashing over a synthetic listing.
const tree: TreeEntry[] = [];
for (let i = 0; i < files; i++) {
  const oid = i.toString(16).padStart(40, '0');
  tree.push({ path: `src/lib/m${i % 97}/f${i}.${extOf(i)}`, mode: '100644', type: 'blob', oid });
}
tree.push({ path: 'src/package.json', mode: '100644', type: 'blob', oid: 'f'.repeat(40) });
let t = process.hrtime.bigint();
const facts = computeMappingFacts(tree, mapping);
console.log(
  `computeMappingFacts (synthetic): ${tree.length} entries, ${facts.fileCount} selected, ${ms(t).toFixed(0)} ms`,
);

// 2. A real repository: commit, fetch over file://, list, hash, lay out.
const root = mkdtempSync(join(tmpdir(), 'stapel-git-bench-'));
try {
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'b',
    GIT_AUTHOR_EMAIL: 'b@example.invalid',
    GIT_COMMITTER_NAME: 'b',
    GIT_COMMITTER_EMAIL: 'b@example.invalid',
  };
  const work = join(root, 'work');
  for (let i = 0; i < files; i++) {
    const dir = join(work, 'src', 'lib', `m${i % 97}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.${extOf(i)}`), `export const v${i} = ${i};\n`.repeat(20));
  }
  writeFileSync(join(work, 'src', 'package.json'), '{}');
  execFileSync('git', ['init', '-q', work], { env });
  execFileSync('git', ['add', '-A'], { cwd: work, env });
  execFileSync('git', ['commit', '-qm', 'bench'], { cwd: work, env });
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: work, env, encoding: 'utf8' }).trim();
  const cache = new GitRepositoryCache({ dir: join(root, 'cache'), allowFileUrls: true });

  t = process.hrtime.bigint();
  const snapshot = await cache.fetch({ url: `file://${work}` }, commit);
  console.log(`fetch --depth=1 (file://): ${files} files, ${ms(t).toFixed(0)} ms`);
  t = process.hrtime.bigint();
  const listed = await snapshot.listTree();
  console.log(`ls-tree + parse: ${listed.length} entries, ${ms(t).toFixed(0)} ms`);
  t = process.hrtime.bigint();
  const real = computeMappingFacts(listed, mapping);
  console.log(`computeMappingFacts: ${real.fileCount} selected, ${ms(t).toFixed(0)} ms`);
  t = process.hrtime.bigint();
  const out = await layoutGitMapping({
    snapshot,
    mapping: { ...mapping, to: '/app' },
    destDir: join(root, 'ws'),
  });
  console.log(`layoutGitMapping: ${out.fileCount} files written, ${ms(t).toFixed(0)} ms`);
  t = process.hrtime.bigint();
  await cache.fetch({ url: `file://${work}` }, commit);
  console.log(`fetch again (cache hit): ${ms(t).toFixed(1)} ms`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
