import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageBuildSchema } from '../../../src/api/imagebuild.js';
import {
  credentialsApply,
  gitSecretRuleFor,
  gitSecretRules,
  remoteOrigin,
  urlUnderPrefix,
} from '../../../src/git/scope.js';
import { evaluatePlan } from '../../../src/plan/planner.js';
import { compileConfig } from '../../../src/reconciler/config.js';
import { emptyGitFacts, GitSourceAccess, gitPassFailure } from '../../../src/reconciler/git-source.js';
import { type HttpGitServer, makeTempRoot, startHttpGitServer, TestRepo } from '../git/git-servers.js';
import { imageBuild } from './fixtures.js';

// The reconciler's git step against real repositories served by git
// http-backend on loopback, with and without Basic auth. The Secret comes
// from a minimal stand-in of CoreV1Api.readNamespacedSecret (the cluster
// tests in test/e2e/git-source.test.ts read real Secrets).

const password = 's3cr3t-t0ken-value';
const root = makeTempRoot();
let open: HttpGitServer;
let locked: HttpGitServer;
let repo: TestRepo;
let commit: string;

beforeAll(async () => {
  repo = new TestRepo(root, 'app');
  commit = repo.commit({
    'deploy/werf.yaml': `project: app\nconfigVersion: 1\n---\nimage: app\nfrom: alpine:3.20\ngit:\n- add: /src\n  to: /app\n  stageDependencies:\n    setup: ['**/*.txt']\nshell:\n  setup: [echo {{ .Files.Get "version.txt" | trim }}]\n`,
    'deploy/version.txt': 'v7\n',
    'src/a.txt': 'a\n',
    'src/b.md': 'b\n',
  });
  repo.tag('v1');
  open = await startHttpGitServer(root);
  locked = await startHttpGitServer(join(root), { username: 'bot', password });
});
afterAll(async () => {
  await open?.close();
  await locked?.close();
  rmSync(root, { recursive: true, force: true });
});

function secrets(data: Record<string, string> | undefined): k8s.CoreV1Api {
  return {
    readNamespacedSecret: async ({ name }: { name: string }) => {
      if (!data) throw new k8s.ApiException(404, 'not found', { reason: 'NotFound' }, {});
      return {
        metadata: { name },
        data: Object.fromEntries(
          Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
      };
    },
  } as unknown as k8s.CoreV1Api;
}

const access = () => new GitSourceAccess({ cacheDir: join(root, 'cache') });
const source = (url: string, extra: Record<string, unknown> = {}) =>
  imageBuild({
    config: undefined,
    source: { git: { url, revision: 'v1', subPath: 'deploy', ...extra } },
  });

describe('the ImageBuild API for git sources', () => {
  it('defaults revision to HEAD and configPath to werf.yaml', () => {
    const parsed = ImageBuildSchema.parse({
      apiVersion: 'stapel.dev/v1alpha1',
      kind: 'ImageBuild',
      metadata: { name: 'x', namespace: 'y', uid: 'u', generation: 1 },
      spec: {
        source: { git: { url: 'https://example.com/x.git' } },
        registry: { repository: 'r.example/x' },
      },
    });
    expect(parsed.spec.source?.git?.revision).toBe('HEAD');
    expect(parsed.spec.configPath).toBe('werf.yaml');
  });
});

describe('which Secret spec.gitCredentials sends to a remote', () => {
  const rules = gitSecretRules({
    source: { git: { url: 'https://git.example.com/team/app.git', secretRef: { name: 'project' } } },
    gitCredentials: [
      { url: 'https://git.example.com/libs', secretRef: { name: 'libs' } },
      { url: 'https://git.example.com/libs/vendor/', secretRef: { name: 'vendor' } },
      { url: 'git@code.example.org:platform', secretRef: { name: 'platform-ssh' } },
    ],
  });
  const secretFor = (url: string) => gitSecretRuleFor(rules, url)?.secretName;

  it('takes the longest prefix, whole path segments only', () => {
    expect(secretFor('https://git.example.com/libs/x.git')).toBe('libs');
    expect(secretFor('https://git.example.com/libs/vendor/y.git')).toBe('vendor');
    expect(secretFor('https://git.example.com/libs.git')).toBe('libs');
    // "libs" is not a prefix of "libs-extra": the project's Secret serves its host.
    expect(secretFor('https://git.example.com/libs-extra/z.git')).toBe('project');
  });

  it('sends no prefix Secret to a URL whose path could mean another place (dot segments, query, fragment)', () => {
    for (const url of [
      'https://git.example.com/libs/../app/secret.git',
      'https://git.example.com/libs/%2e%2e/app.git',
      'https://git.example.com/libs/./x.git',
      'https://git.example.com/libs/x.git?ref=1',
      'https://git.example.com/libs/x.git#frag',
    ]) {
      expect(urlUnderPrefix('https://git.example.com/libs', url)).toBe(false);
    }
    // Only whole `.`/`..` segments count: a name with dots is an ordinary name.
    expect(secretFor('https://git.example.com/libs/a..b/x.git')).toBe('libs');
    // Such a URL on the project's host still gets the project's Secret (it serves the whole origin).
    expect(secretFor('https://git.example.com/libs/../app/secret.git')).toBe('project');
  });

  it('matches ssh prefixes in scp-like and ssh:// form, and nothing on other hosts', () => {
    expect(secretFor('ssh://git@code.example.org/platform/tools.git')).toBe('platform-ssh');
    expect(secretFor('git@code.example.org:platform/tools.git')).toBe('platform-ssh');
    expect(secretFor('https://code.example.org/platform/tools.git')).toBeUndefined();
    expect(secretFor('https://elsewhere.example/x.git')).toBeUndefined();
  });

  it('names the field of each rule for messages', () => {
    expect(rules.map((r) => r.field)).toEqual([
      'spec.gitCredentials[0].secretRef',
      'spec.gitCredentials[1].secretRef',
      'spec.gitCredentials[2].secretRef',
      'spec.source.git.secretRef',
    ]);
    expect(urlUnderPrefix('https://git.example.com', 'https://GIT.example.com:443/a/b')).toBe(true);
    expect(urlUnderPrefix('https://git.example.com/a', 'https://git.example.com.evil/a')).toBe(false);
  });
});

describe('which remotes get the Secret', () => {
  it('sends it to the same scheme, host and port only', () => {
    const src = 'https://git.example.com/team/app.git';
    expect(credentialsApply(src, 'https://git.example.com:443/team/lib.git')).toBe(true);
    expect(credentialsApply(src, 'https://GIT.example.com/other.git')).toBe(true);
    expect(credentialsApply(src, 'http://git.example.com/team/lib.git')).toBe(false);
    expect(credentialsApply(src, 'https://git.example.com.evil.test/x.git')).toBe(false);
    expect(credentialsApply(src, 'https://git.example.com:8443/x.git')).toBe(false);
    expect(remoteOrigin('git@github.com:org/repo.git')).toBe('ssh://github.com');
    expect(credentialsApply('ssh://git@github.com/org/a.git', 'git@github.com:org/b.git')).toBe(true);
    expect(remoteOrigin('not a url')).toBeUndefined();
  });
});

describe('a reconcile pass reading spec.source.git', () => {
  it('resolves the revision, reads werf.yaml at subPath/configPath and .Files, and plans local mappings', async () => {
    const build = source(open.urlOf('app'));
    const opened = await access().openPass(build, secrets(undefined));
    if (!opened.ok) throw new Error(opened.failure.message);
    const pass = opened.pass;
    expect(pass.status).toEqual({ git: { url: open.urlOf('app'), revision: 'v1', commit } });
    expect(pass.follows).toBe(true);
    const config = await pass.readConfig('werf.yaml');
    expect(config.path).toBe('deploy/werf.yaml');
    const files = await pass.files();
    expect([...(files?.keys() ?? [])].sort()).toEqual(['version.txt', 'werf.yaml']);
    const compiled = compileConfig(config.text!, build, { fileName: config.path, files, git: pass.project });
    if (!compiled.ok) throw new Error(compiled.errors.join('\n'));
    const facts = emptyGitFacts();
    let plan = evaluatePlan(compiled.compiled, facts);
    for (let i = 0; i < 4 && (await pass.learn(plan.needs, facts)) > 0; i++) {
      plan = evaluatePlan(compiled.compiled, facts);
    }
    expect(plan.needs.filter((n) => n.kind.startsWith('git'))).toEqual([]);
    const setup = plan.images[0]!.stages.find((s) => s.name === 'setup')!;
    expect(setup.digest).toMatch(/^[0-9a-f]{16,}$/);
    // .Files read the repository at the commit: the rendered command carries version.txt.
    expect(setup.recipe?.run?.commands).toEqual(['echo v7']);
  });

  it('pitfall 7: a file add with to: / is GitMappingInvalid before any build', async () => {
    const build = source(open.urlOf('app'));
    const opened = await access().openPass(build, secrets(undefined));
    if (!opened.ok) throw new Error(opened.failure.message);
    const text =
      'project: app\nconfigVersion: 1\n---\nimage: x\nfrom: alpine:3.20\ngit:\n- {add: /src/a.txt, to: /}\n';
    const compiled = compileConfig(text, build, { git: opened.pass.project });
    if (!compiled.ok) throw new Error(compiled.errors.join('\n'));
    const facts = emptyGitFacts();
    const err = await (async () => {
      for (let i = 0; i < 4; i++)
        await opened.pass.learn(evaluatePlan(compiled.compiled, facts).needs, facts);
      opened.pass.checkFileTargets(evaluatePlan(compiled.compiled, facts));
    })().catch((e: unknown) => e);
    expect(gitPassFailure(err)).toMatchObject({ reason: 'GitMappingInvalid', configProblem: true });
    expect(gitPassFailure(err)?.message).toContain('add /src/a.txt is a file, so to "/" cannot hold it');
  });

  it('a mapping URL with a password in werf.yaml is refused without showing it', async () => {
    const opened = await access().openPass(source(open.urlOf('app')), secrets(undefined));
    if (!opened.ok) throw new Error(opened.failure.message);
    const url = `http://bot:${password}@127.0.0.1:1/lib.git`;
    const text = `project: app\nconfigVersion: 1\n---\nimage: x\nfrom: alpine:3.20\ngit:\n- {url: "${url}", tag: v1, add: /, to: /lib}\n`;
    const compiled = compileConfig(text, imageBuild(), {});
    if (!compiled.ok) throw new Error(compiled.errors.join('\n'));
    const err = await opened.pass
      .learn(evaluatePlan(compiled.compiled, emptyGitFacts()).needs, emptyGitFacts())
      .catch((e: unknown) => e);
    expect(gitPassFailure(err)).toMatchObject({ reason: 'GitCredentialsInvalid' });
    expect(gitPassFailure(err)?.message).not.toContain(password);
  });

  it('a pinned commit does not poll; a missing config is reported by path', async () => {
    const opened = await access().openPass(
      source(open.urlOf('app'), { revision: commit }),
      secrets(undefined),
    );
    if (!opened.ok) throw new Error(opened.failure.message);
    expect(opened.pass.follows).toBe(false);
    expect((await opened.pass.readConfig('nope.yaml')).text).toBeUndefined();
  });

  it('reads a private repository with the Secret', async () => {
    const opened = await access().openPass(
      source(locked.urlOf('app'), { secretRef: { name: 'git' } }),
      secrets({ username: 'bot', password }),
    );
    if (!opened.ok) throw new Error(opened.failure.message);
    expect(opened.pass.status?.git?.commit).toBe(commit);
    expect((await opened.pass.readConfig('werf.yaml')).text).toContain('project: app');
  });

  it('a wrong Secret is GitAuth and nothing shown carries the credential', async () => {
    const wrong = 'wrong-password-123456';
    const err = await access()
      .openPass(source(locked.urlOf('app'), { secretRef: { name: 'git' } }), secrets({ password: wrong }))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const failure = gitPassFailure(err);
    expect(failure).toMatchObject({ reason: 'GitAuth', retry: false, configProblem: false });
    expect(failure!.message).not.toContain(wrong);
    expect(failure!.message).toContain(locked.urlOf('app'));
  });

  it('no Secret for a private repository is GitAuth; a missing Secret is SecretNotFound; unusable data is GitCredentialsInvalid', async () => {
    const err = await access()
      .openPass(source(locked.urlOf('app')), secrets(undefined))
      .catch((e: unknown) => e);
    expect(gitPassFailure(err)?.reason).toBe('GitAuth');
    const missing = await access().openPass(
      source(locked.urlOf('app'), { secretRef: { name: 'git' } }),
      secrets(undefined),
    );
    expect(missing).toMatchObject({ ok: false, failure: { reason: 'SecretNotFound' } });
    const unusable = await access().openPass(
      source(locked.urlOf('app'), { secretRef: { name: 'git' } }),
      secrets({ 'ssh-privatekey': 'KEY' }),
    );
    expect(unusable).toMatchObject({ ok: false, failure: { reason: 'GitCredentialsInvalid' } });
    if (!unusable.ok) expect(unusable.failure.message).not.toContain('KEY');
  });

  it('refuses a URL carrying a password without showing it', async () => {
    const opened = await access().openPass(
      source(`http://bot:${password}@127.0.0.1:1/app.git`),
      secrets(undefined),
    );
    expect(opened).toMatchObject({ ok: false, failure: { reason: 'ConfigInvalid', configProblem: true } });
    if (!opened.ok) expect(opened.failure.message).not.toContain(password);
  });

  it('an unknown revision stalls with GitRevisionNotFound; an unreachable server is retried', async () => {
    const err = await access()
      .openPass(source(open.urlOf('app'), { revision: 'no-such-branch' }), secrets(undefined))
      .catch((e: unknown) => e);
    expect(gitPassFailure(err)).toMatchObject({ reason: 'GitRevisionNotFound', retry: false });
    const down = await access()
      .openPass(source('http://127.0.0.1:1/app.git'), secrets(undefined))
      .catch((e: unknown) => e);
    expect(gitPassFailure(down)).toMatchObject({ reason: 'GitFetchFailed', retry: true });
    expect(gitPassFailure(new Error('other'))).toBeUndefined();
  });
});
