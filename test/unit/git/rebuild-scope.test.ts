import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitFactsResolver } from '../../../src/git/git-facts.js';
import { gitFailure, learnGitFacts } from '../../../src/git/learn.js';
import { GitRepositoryCache } from '../../../src/git/repository.js';
import { compilePlan, evaluatePlan, type Plan } from '../../../src/plan/planner.js';
import { parseWerfConfig } from '../../../src/werf/index.js';
import { makeTempRoot, TestRepo } from './git-servers.js';

// Which stages a new commit changes: the real planner, fed with content
// hashes computed from real commits of a real repository by the git module.
// (The cluster tests build the same; here only digests are compared.)

const root = makeTempRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));
const cache = new GitRepositoryCache({ dir: join(root, 'cache'), allowFileUrls: true });

const meta = 'project: demo\nconfigVersion: 1\n---\n';

/** Plans the config at a commit, answering every git need from the repository; stage name -> digest. */
async function digestsAt(
  config: string,
  url: string,
  commit: string,
): Promise<{ digests: Record<string, string>; plan: Plan; warnings: string[] }> {
  const parsed = parseWerfConfig(meta + config, { fileName: 'werf.yaml' });
  expect(parsed.errors).toEqual([]);
  const compiled = compilePlan(parsed.config!, { git: { url, commit } });
  const git = new GitFactsResolver({ cache, credentialsFor: () => undefined });
  const facts = { gitCommits: new Map<string, string>(), gitContent: new Map<string, string>() };
  let plan = evaluatePlan(compiled, facts);
  const warnings: string[] = [];
  for (let round = 0; round < 10 && plan.needs.some((n) => n.kind.startsWith('git')); round++) {
    const result = await learnGitFacts(plan.needs, git, facts);
    expect(result.learned).toBeGreaterThan(0);
    warnings.push(...result.warnings);
    plan = evaluatePlan(compiled, facts);
  }
  expect(plan.errors).toEqual([]);
  const digests: Record<string, string> = {};
  for (const s of plan.images[0]!.stages) {
    expect(s.status).toBe('ready');
    digests[s.name] = s.digest!;
  }
  return { digests, plan, warnings };
}

/** Names of the stages whose digest differs. */
function changed(a: Record<string, string>, b: Record<string, string>): string[] {
  return Object.keys(b).filter((k) => a[k] !== b[k]);
}

describe('rebuild scope of a commit (corpus-like config, two mappings)', () => {
  const config = `image: app
from: alpine:3.20
git:
- add: /backend
  to: /app
  owner: app
  group: app
  includePaths: ['**/*.py', 'requirements.txt', 'templates']
  excludePaths: ['**/test_*.py']
  stageDependencies:
    install: [requirements.txt]
    setup: ['settings/**']
- add: /deploy/app.conf
  to: /etc/app/real.conf
shell:
  beforeInstall: [apk add --no-cache python3]
  install: [pip install -r /app/requirements.txt]
  setup: [python3 /app/manage.py collect]
`;
  const repo = new TestRepo(root, 'scope');
  const base = repo.commit({
    'backend/requirements.txt': 'flask\n',
    'backend/manage.py': 'print(1)\n',
    'backend/settings/prod.py': 'DEBUG = False\n',
    'backend/test_manage.py': 'assert True\n',
    'backend/templates/index.html': '<p>hi</p>\n',
    'backend/README.md': 'docs\n',
    'deploy/app.conf': 'port=80\n',
    'frontend/app.js': 'console.log(1)\n',
  });
  const setupOnly = repo.commit({ 'backend/settings/prod.py': 'DEBUG = True\n' });
  const unmapped = repo.commit({ 'frontend/app.js': 'console.log(2)\n', 'backend/README.md': 'more docs\n' });
  const excluded = repo.commit({ 'backend/test_manage.py': 'assert 1\n' });
  const mapped = repo.commit({ 'backend/manage.py': 'print(2)\n' });
  const singleFile = repo.commit({ 'deploy/app.conf': 'port=8080\n' });
  const install = repo.commit({ 'backend/requirements.txt': 'flask\nrequests\n' });

  it('a file matched by stageDependencies.setup rebuilds setup and later stages only', async () => {
    const a = (await digestsAt(config, repo.fileUrl, base)).digests;
    const b = (await digestsAt(config, repo.fileUrl, setupOnly)).digests;
    expect(changed(a, b)[0]).toBe('setup');
    for (const s of ['from', 'beforeInstall', 'gitArchive', 'install', 'beforeSetup']) {
      if (s in a) expect(b[s]).toBe(a[s]);
    }
  });

  it('an unmapped or excluded file rebuilds nothing', async () => {
    const a = (await digestsAt(config, repo.fileUrl, setupOnly)).digests;
    expect((await digestsAt(config, repo.fileUrl, unmapped)).digests).toEqual(a);
    expect((await digestsAt(config, repo.fileUrl, excluded)).digests).toEqual(a);
  });

  it('a mapped file outside stageDependencies rebuilds from gitArchive on, in either mapping', async () => {
    const a = (await digestsAt(config, repo.fileUrl, excluded)).digests;
    const b = (await digestsAt(config, repo.fileUrl, mapped)).digests;
    expect(changed(a, b)[0]).toBe('gitArchive');
    expect(b.beforeInstall).toBe(a.beforeInstall);
    const c = (await digestsAt(config, repo.fileUrl, singleFile)).digests;
    expect(changed(b, c)[0]).toBe('gitArchive');
  });

  it('a file matched by stageDependencies.install rebuilds from install on', async () => {
    const a = (await digestsAt(config, repo.fileUrl, singleFile)).digests;
    const b = (await digestsAt(config, repo.fileUrl, install)).digests;
    expect(changed(a, b)[0]).toBe('install');
    expect(b.gitArchive).toBe(a.gitArchive);
  });
});

// werf-pitfalls.md #6, at the plan level.
describe('pitfall 6: stageDependencies on a single-file mapping', () => {
  const repo = new TestRepo(root, 'pitfall6');
  const c1 = repo.commit({ myfile: 'one\n', other: 'x\n' });
  const c2 = repo.commit({ myfile: 'two\n' });
  const config = (glob: string) => `image: x
from: alpine:3.20
git:
- add: /myfile
  to: /app/myfile
  stageDependencies:
    setup: [${JSON.stringify(glob)}]
shell:
  setup: [cat /app/myfile]
`;

  it.each([[''], ['**/*']])(
    'glob %j (relative to the file itself) fires setup when the file changes',
    async (glob) => {
      const a = (await digestsAt(config(glob), repo.fileUrl, c1)).digests;
      const b = (await digestsAt(config(glob), repo.fileUrl, c2)).digests;
      expect(changed(a, b)[0]).toBe('setup');
    },
  );

  it('glob "myfile" matches nothing: a warning says why, and the change still rebuilds (from gitArchive)', async () => {
    const a = await digestsAt(config('myfile'), repo.fileUrl, c1);
    const b = await digestsAt(config('myfile'), repo.fileUrl, c2);
    expect(changed(a.digests, b.digests)[0]).toBe('gitArchive');
    expect(a.warnings).toEqual([
      'stageDependencies glob "myfile" of add /myfile matches no file; add /myfile is a file and globs are relative to it, so only "" or "**/*" match it',
    ]);
  });
});

describe('learnGitFacts and gitFailure', () => {
  it('says so when local mappings have no spec.source.git, as a reportable failure', async () => {
    const parsed = parseWerfConfig(`${meta}image: x\nfrom: alpine:3.20\ngit:\n- add: /\n  to: /app\n`);
    const plan = evaluatePlan(compilePlan(parsed.config!, {}), {});
    const facts = { gitCommits: new Map<string, string>(), gitContent: new Map<string, string>() };
    const resolver = new GitFactsResolver({ cache, credentialsFor: () => undefined });
    const error = await learnGitFacts(plan.needs, resolver, facts).catch((e: unknown) => e);
    expect(gitFailure(error)).toEqual({
      reason: 'GitMappingInvalid',
      message: expect.stringContaining('names no spec.source.git'),
      retry: false,
    });
    expect(gitFailure(new Error('not git'))).toBeUndefined();
  });
});
