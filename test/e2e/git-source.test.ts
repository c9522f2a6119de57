import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ImageStatus } from '../../src/api/imagebuild.js';
import { adminClients } from '../cluster/helpers/kube.js';
import { createTestNamespace, deleteTestNamespace } from '../cluster/helpers/namespace.js';
import { readImage } from '../cluster/helpers/registry-files.js';
import { waitFor } from '../cluster/lib/wait.js';
import {
  type HttpGitServer,
  makeTempRoot,
  type SshGitServer,
  startHttpGitServer,
  startSshGitServer,
  TestRepo,
} from '../unit/git/git-servers.js';
import {
  applyImageBuild,
  condition,
  describeBuild,
  type ImageBuildObject,
  waitForBuild as waitForBuildUntil,
} from './support/imagebuild.js';
import { kubectl, useOperator } from './support/operator.js';

// Git sources end to end (issue 8): repositories served by git http-backend
// on loopback (with and without Basic auth), the operator with deploy/'s
// RBAC, real build pods whose prepare container fetches the commit, and the
// images read back from the registry.

const op = useOperator();
let root: string;
let open: HttpGitServer;
let locked: HttpGitServer;
const password = `pw-${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  root = makeTempRoot();
  open = await startHttpGitServer(root);
  locked = await startHttpGitServer(root, { username: 'ci-bot', password });
});

afterAll(async () => {
  await open?.close();
  await locked?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const repository = () => `${inject('registry')}/git-${randomBytes(4).toString('hex')}`;

function waitForBuild(
  namespace: string,
  name: string,
  done: (ib: ImageBuildObject) => boolean,
  timeoutMs = 600_000,
): Promise<ImageBuildObject> {
  return waitForBuildUntil(namespace, name, done, timeoutMs, () => op.operator.process.logTail(20));
}

const isReady = (ib: ImageBuildObject) =>
  ib.status?.observedGeneration === ib.metadata.generation && condition(ib, 'Ready')?.status === 'True';

/** Ready at exactly this project commit. */
const readyAt = (commit: string) => (ib: ImageBuildObject) =>
  isReady(ib) && ib.status?.source?.git?.commit === commit;

/** What a user does to have a new commit picked up at once: any change to the object. */
function nudge(namespace: string, name: string): void {
  kubectl([
    'annotate',
    '-n',
    namespace,
    `imagebuild/${name}`,
    `reconcile.stapel.dev/requestedAt=${Date.now()}`,
    '--overwrite',
  ]);
}

/** image/stage -> stage digest. */
function digests(images: readonly ImageStatus[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const i of images ?? []) for (const s of i.stages) out.set(`${i.name}/${s.name}`, s.digest ?? '');
  return out;
}

/** Stages whose digest differs between two passes, in stage order. */
function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((k) => before.get(k) !== after.get(k));
}

async function jobNames(namespace: string): Promise<string[]> {
  const { batch } = adminClients();
  const list = await batch.listNamespacedJob({
    namespace,
    labelSelector: 'app.kubernetes.io/managed-by=stapel-operator',
  });
  return list.items.map((j) => j.metadata!.name!).sort();
}

async function finalFiles(ib: ImageBuildObject, image: string) {
  const ref = ib.status?.images?.find((i) => i.name === image)?.ref;
  if (!ref) throw new Error(`no final image ${image}\n${describeBuild(ib)}`);
  return (await readImage(ref)).files;
}

/** Regular files below `prefix` (no trailing slash) -> [uid, gid]. */
function filesUnder(files: Map<string, { type: string; uid: number; gid: number }>, prefix: string) {
  const out: Record<string, [number, number]> = {};
  for (const [path, f] of files) {
    if (f.type === 'file' && path.startsWith(`${prefix}/`))
      out[path.slice(prefix.length + 1)] = [f.uid, f.gid];
  }
  return out;
}

const base = () => inject('busyboxImage');

// The project: werf.yaml lives in the repository (deploy/werf.yaml, read
// through subPath + configPath) next to the files it maps; the second
// mapping comes from another repository at a tag (werf's giterminism refuses a branch
// unless werf-giterminism.yaml allows it, which the operator does not read yet).
const PROJECT_CONFIG = `project: shop
configVersion: 1
---
image: app
from: {{ env "BASE_IMAGE" }}
git:
- add: /
  to: /app
  includePaths: [package.txt, src, config]
  excludePaths: ["src/**/*.tmp"]
  owner: "1001"
  group: "1002"
  stageDependencies:
    install: [package.txt]
    setup: ["src/**/*.txt"]
- url: {{ env "LIB_URL" }}
  tag: v1
  add: /lib
  to: /opt/lib
  includePaths: ["*.sh"]
  owner: "2001"
  group: "2001"
  stageDependencies:
    install: ["install.sh"]
shell:
  install:
  - mkdir -p /out
  - for p in $(cat /app/package.txt); do echo "$p" >> /out/packages; done
  - sh /opt/lib/install.sh > /out/lib.txt
  setup:
  - cat /app/src/*.txt > /out/site.txt
  - echo "version {{ .Files.Get "VERSION" | trim }}" >> /out/site.txt
`;

describe('a project from git: two mappings, filters, owners, stageDependencies', () => {
  let namespace: string;
  let project: TestRepo;
  let lib: TestRepo;
  const repo = repository();
  let first: ImageBuildObject;

  beforeAll(async () => {
    namespace = await createTestNamespace('git');
    project = new TestRepo(root, `shop-${randomBytes(3).toString('hex')}`);
    lib = new TestRepo(root, `lib-${randomBytes(3).toString('hex')}`);
    lib.commit({ 'lib/install.sh': 'echo lib 1\n', 'lib/README.md': 'not mapped\n', 'other/x.sh': 'echo\n' });
    lib.tag('v1');
    project.commit({
      'deploy/werf.yaml': PROJECT_CONFIG,
      'deploy/VERSION': '3.1\n',
      'package.txt': 'curl\njq\n',
      'src/00-title.txt': 'Title\n',
      'src/10-body.txt': 'Body 1\n',
      'src/draft.tmp': 'excluded\n',
      'config/app.conf': 'mode=1\n',
      'docs/HOWTO.md': 'unmapped\n',
    });
  });
  afterAll(() => (namespace ? deleteTestNamespace(namespace) : undefined));

  it('builds; the image has exactly the mapped files with their owners; the status names the commit', {
    timeout: 900_000,
  }, async () => {
    const commit = project.commit({}, 'empty commit to build from');
    applyImageBuild(namespace, 'shop', {
      source: { git: { url: open.urlOf(project.name), revision: 'main', subPath: 'deploy' } },
      env: { BASE_IMAGE: base(), LIB_URL: open.urlOf(lib.name) },
      registry: { repository: repo, insecure: true },
      retries: 0,
    });
    first = await waitForBuild(namespace, 'shop', readyAt(commit));
    expect(first.status?.source?.git).toEqual({ url: open.urlOf(project.name), revision: 'main', commit });
    expect(condition(first, 'ConfigValid')?.status).toBe('True');
    const files = await finalFiles(first, 'app');
    expect(filesUnder(files, 'app')).toEqual({
      'package.txt': [1001, 1002],
      'src/00-title.txt': [1001, 1002],
      'src/10-body.txt': [1001, 1002],
      'config/app.conf': [1001, 1002],
    });
    expect(filesUnder(files, 'opt/lib')).toEqual({ 'install.sh': [2001, 2001] });
    expect(files.get('app')).toMatchObject({ type: 'directory', uid: 1001, gid: 1002 });
    expect(files.get('out/packages')?.content?.toString()).toBe('curl\njq\n');
    expect(files.get('out/lib.txt')?.content?.toString()).toBe('lib 1\n');
    // .Files read deploy/VERSION at the commit.
    expect(files.get('out/site.txt')?.content?.toString()).toBe('Title\nBody 1\nversion 3.1\n');
  });

  /** Commits, has the operator pick the commit up, waits for Ready at it; what changed. */
  async function commitAndRebuild(files: Record<string, string>) {
    const before = digests(first.status?.images);
    const jobsBefore = await jobNames(namespace);
    const commit = project.commit(files);
    nudge(namespace, 'shop');
    first = await waitForBuild(namespace, 'shop', readyAt(commit));
    const after = digests(first.status?.images);
    return {
      stages: [...after.keys()],
      changed: changed(before, after),
      // Jobs of stages no longer wanted are deleted, so count the new names.
      created: (await jobNames(namespace)).filter((n) => !jobsBefore.includes(n)),
      files: await finalFiles(first, 'app'),
    };
  }

  it('a commit changing only a stageDependencies.setup file rebuilds setup and later stages only', {
    timeout: 900_000,
  }, async () => {
    const r = await commitAndRebuild({ 'src/10-body.txt': 'Body 2\n' });
    const setupAt = r.stages.indexOf('app/setup');
    expect(setupAt).toBeGreaterThan(0);
    expect(r.changed).toEqual(r.stages.slice(setupAt));
    expect(r.created.length).toBe(r.stages.length - setupAt);
    expect(r.files.get('out/site.txt')?.content?.toString()).toBe('Title\nBody 2\nversion 3.1\n');
  });

  it('a commit changing only an unmapped file rebuilds nothing', { timeout: 600_000 }, async () => {
    const r = await commitAndRebuild({ 'docs/HOWTO.md': 'still unmapped, but changed\n' });
    expect(r.changed).toEqual([]);
    expect(r.created).toEqual([]);
  });

  it('a commit changing a mapped file no stage depends on rebuilds from gitArchive on', {
    timeout: 900_000,
  }, async () => {
    const r = await commitAndRebuild({ 'config/app.conf': 'mode=2\n' });
    const archiveAt = r.stages.indexOf('app/gitArchive');
    expect(archiveAt).toBeGreaterThan(0);
    expect(r.changed).toEqual(r.stages.slice(archiveAt));
    expect(r.created.length).toBe(r.stages.length - archiveAt);
    expect(r.files.get('app/config/app.conf')?.content?.toString()).toBe('mode=2\n');
  });

  it('moving the remote mapping tag to a new commit rebuilds from the stage that copies the changed file', {
    timeout: 900_000,
  }, async () => {
    const before = digests(first.status?.images);
    lib.commit({ 'lib/install.sh': 'echo lib 2\n' });
    lib.tag('v1');
    nudge(namespace, 'shop');
    const ib = await waitForBuild(
      namespace,
      'shop',
      (x) => isReady(x) && digests(x.status?.images).get('app/install') !== before.get('app/install'),
    );
    const after = digests(ib.status?.images);
    const stages = [...after.keys()];
    expect(changed(before, after)).toEqual(stages.slice(stages.indexOf('app/install')));
    const files = await finalFiles(ib, 'app');
    expect(files.get('out/lib.txt')?.content?.toString()).toBe('lib 2\n');
  });
});

describe('werf pitfalls 6 and 7 with real commits', () => {
  let namespace: string;
  let project: TestRepo;

  beforeAll(async () => {
    namespace = await createTestNamespace('gitpit');
    project = new TestRepo(root, `pit-${randomBytes(3).toString('hex')}`);
  });
  afterAll(() => (namespace ? deleteTestNamespace(namespace) : undefined));

  const singleFile = (glob: string) => `project: pit
configVersion: 1
---
image: x
from: {{ env "BASE_IMAGE" }}
git:
- add: /myfile
  to: /app/myfile
  stageDependencies:
    setup: [${JSON.stringify(glob)}]
shell:
  setup: [cat /app/myfile > /copy]
`;
  const build = (name: string, config: string) =>
    applyImageBuild(namespace, name, {
      config,
      source: { git: { url: open.urlOf(project.name), revision: 'main' } },
      env: { BASE_IMAGE: base() },
      registry: { repository: repository(), insecure: true },
      retries: 0,
    });

  it('pitfall 6: a stageDependencies glob on a single-file add warns; "" matches the file', {
    timeout: 900_000,
  }, async () => {
    const c1 = project.commit({ myfile: 'one\n', 'config/app.conf': 'conf\n' });
    build('named', singleFile('myfile'));
    build('root', singleFile(''));
    const named1 = await waitForBuild(namespace, 'named', readyAt(c1));
    const root1 = await waitForBuild(namespace, 'root', readyAt(c1));
    // werf logs that the dependency matched nothing; the operator records a Warning event.
    const events = await waitFor(
      async () => {
        const list = await adminClients().core.listNamespacedEvent({ namespace });
        const found = list.items.filter((e) => e.reason === 'GitWarning');
        return found.length > 0 ? found : undefined;
      },
      { description: 'a GitWarning event', timeoutMs: 30_000 },
    );
    expect(events.map((e) => e.involvedObject.name)).toEqual(['named']);
    expect(events[0]!.message).toContain('"myfile" of add /myfile matches no file');
    expect(events[0]!.message).toContain('only "" or "**/*" match it');

    const c2 = project.commit({ myfile: 'two\n' });
    nudge(namespace, 'named');
    nudge(namespace, 'root');
    const named2 = await waitForBuild(namespace, 'named', readyAt(c2));
    const root2 = await waitForBuild(namespace, 'root', readyAt(c2));
    // With the glob that matches nothing the file is copied at gitArchive;
    // with "" the setup stage copies it, so gitArchive stays.
    const n1 = digests(named1.status?.images);
    const n2 = digests(named2.status?.images);
    const r1 = digests(root1.status?.images);
    const r2 = digests(root2.status?.images);
    expect(n2.get('x/gitArchive')).not.toBe(n1.get('x/gitArchive'));
    expect(r2.get('x/gitArchive')).toBe(r1.get('x/gitArchive'));
    expect(r2.get('x/setup')).not.toBe(r1.get('x/setup'));
    for (const ib of [named2, root2]) {
      expect((await finalFiles(ib, 'x')).get('copy')?.content?.toString()).toBe('two\n');
    }
  });

  it('pitfall 7: a single-file add is renamed to `to`; `to: /` with a file add is an error', {
    timeout: 900_000,
  }, async () => {
    const commit = project.commit({ 'config/app.conf': 'conf 7\n' });
    build(
      'rename',
      `project: pit\nconfigVersion: 1\n---\nimage: x\nfrom: {{ env "BASE_IMAGE" }}\ngit:\n- {add: /config/app.conf, to: /etc/app/real.conf}\n`,
    );
    const ib = await waitForBuild(namespace, 'rename', readyAt(commit));
    const files = await finalFiles(ib, 'x');
    expect(files.get('etc/app/real.conf')?.content?.toString()).toBe('conf 7\n');
    expect(files.get('etc/app/app.conf')).toBeUndefined();
    expect(files.get('etc/app/real.conf')?.type).toBe('file');

    build(
      'to-root',
      `project: pit\nconfigVersion: 1\n---\nimage: x\nfrom: {{ env "BASE_IMAGE" }}\ngit:\n- {add: /config/app.conf, to: /}\n`,
    );
    const failed = await waitForBuild(
      namespace,
      'to-root',
      (x) => condition(x, 'Stalled')?.status === 'True',
    );
    // Found when the commit's tree is listed, before any build pod runs.
    expect(condition(failed, 'Stalled')).toMatchObject({ reason: 'GitMappingInvalid' });
    expect(condition(failed, 'Stalled')?.message).toContain(
      'add /config/app.conf is a file, so to "/" cannot hold it',
    );
    expect(condition(failed, 'ConfigValid')?.status).toBe('False');
    expect((failed.status?.images ?? []).flatMap((i) => i.stages).some((s) => s.job)).toBe(false);
  });
});

describe('the API server validates spec.source', () => {
  it('refuses a URL with a password, and config together with configRef; accepts source.git alone', () => {
    const apply = (spec: Record<string, unknown>) => {
      try {
        kubectl(
          ['apply', '--dry-run=server', '-f', '-'],
          JSON.stringify({
            apiVersion: 'stapel.dev/v1alpha1',
            kind: 'ImageBuild',
            metadata: { name: 'v', namespace: 'default' },
            spec: { registry: { repository: 'r.example/x' }, ...spec },
          }),
        );
        return 'accepted';
      } catch (e) {
        return String((e as { stderr?: string }).stderr ?? e);
      }
    };
    const withPassword = apply({ source: { git: { url: `https://bot:${password}@git.example/x.git` } } });
    expect(withPassword).toContain('put credentials in the Secret named by secretRef, not in the URL');
    expect(withPassword).not.toContain(password);
    expect(apply({ config: 'x', configRef: { name: 'c' } })).toContain(
      'set exactly one of config, configRef',
    );
    expect(apply({})).toContain('set exactly one of config, configRef');
    expect(apply({ source: { git: { url: 'https://git.example/x.git' } } })).toBe('accepted');
    const credentialWithPassword = apply({
      config: 'x',
      gitCredentials: [{ url: `https://bot:${password}@libs.example/`, secretRef: { name: 's' } }],
    });
    expect(credentialWithPassword).toContain('spec.gitCredentials[0]');
    expect(credentialWithPassword).toContain('put credentials in the Secret named by secretRef');
    expect(credentialWithPassword).not.toContain(password);
    // Whitespace before the scheme does not hide the password (git and the operator trim it).
    expect(apply({ source: { git: { url: ` \thttps://bot:${password}@git.example/x.git` } } })).toContain(
      'put credentials in the Secret named by secretRef',
    );
    expect(
      apply({ config: 'x', gitCredentials: [{ url: 'git@libs.example:team', secretRef: { name: 's' } }] }),
    ).toBe('accepted');
  });
});

describe('a private repository', () => {
  let namespace: string;
  let project: TestRepo;
  const wrong = `wrong-${randomBytes(12).toString('hex')}`;

  beforeAll(async () => {
    namespace = await createTestNamespace('gitauth');
    project = new TestRepo(root, `private-${randomBytes(3).toString('hex')}`);
  });
  afterAll(() => (namespace ? deleteTestNamespace(namespace) : undefined));

  const secret = (name: string, pass: string) =>
    adminClients().core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name },
        type: 'kubernetes.io/basic-auth',
        stringData: { username: 'ci-bot', password: pass },
      },
    });
  const spec = (secretName: string) => ({
    source: { git: { url: locked.urlOf(project.name), revision: 'main', secretRef: { name: secretName } } },
    env: { BASE_IMAGE: base() },
    registry: { repository: repository(), insecure: true },
    retries: 0,
  });

  it('builds with the Secret: werf.yaml and the mapped files come from the private repository', {
    timeout: 900_000,
  }, async () => {
    const commit = project.commit({
      'werf.yaml': `project: private\nconfigVersion: 1\n---\nimage: p\nfrom: {{ env "BASE_IMAGE" }}\ngit:\n- {add: /app, to: /srv/app}\nshell:\n  install: [cat /srv/app/secret-sauce.txt > /srv/seen]\n`,
      'app/secret-sauce.txt': 'sauce\n',
    });
    await secret('git-good', password);
    applyImageBuild(namespace, 'good', spec('git-good'));
    const ib = await waitForBuild(namespace, 'good', readyAt(commit));
    const files = await finalFiles(ib, 'p');
    expect(files.get('srv/app/secret-sauce.txt')?.content?.toString()).toBe('sauce\n');
    expect(files.get('srv/seen')?.content?.toString()).toBe('sauce\n');
    // The build pods read the Secret from a read-only mount, never from their spec.
    const jobs = await adminClients().batch.listNamespacedJob({ namespace });
    expect(jobs.items.length).toBeGreaterThan(0);
    for (const job of jobs.items) expect(JSON.stringify(job)).not.toContain(password);
    expect(jobs.items.some((j) => JSON.stringify(j).includes('"secretName":"git-good"'))).toBe(true);
  });

  it('a wrong Secret stalls with reason GitAuth and no credential in any output', {
    timeout: 300_000,
  }, async () => {
    await secret('git-wrong', wrong);
    applyImageBuild(namespace, 'wrong', spec('git-wrong'));
    const ib = await waitForBuild(namespace, 'wrong', (x) => condition(x, 'Stalled')?.status === 'True');
    expect(condition(ib, 'Stalled')).toMatchObject({ status: 'True', reason: 'GitAuth' });
    expect(condition(ib, 'Ready')).toMatchObject({ status: 'False', reason: 'GitAuth' });
    expect(condition(ib, 'Stalled')?.message).toContain(locked.urlOf(project.name));
    const { core } = adminClients();
    const events = await waitFor(
      async () => {
        const list = await core.listNamespacedEvent({ namespace });
        return list.items.some((e) => e.reason === 'GitAuth') ? list.items : undefined;
      },
      { description: 'the GitAuth event', timeoutMs: 30_000 },
    );
    const pods = await core.listNamespacedPod({ namespace });
    const outputs = [
      JSON.stringify(ib),
      JSON.stringify(events),
      JSON.stringify(pods.items),
      JSON.stringify((await adminClients().batch.listNamespacedJob({ namespace })).items),
      readFileSync(join(op.dir, 'operator.log'), 'utf8'),
    ];
    for (const text of outputs) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(password);
      expect(text).not.toContain(Buffer.from(`ci-bot:${wrong}`).toString('base64'));
    }
  });
});

describe('a remote mapping on another host, with its own Secret (spec.gitCredentials, SSH)', () => {
  let namespace: string;
  let ssh: SshGitServer;

  beforeAll(async () => {
    namespace = await createTestNamespace('gitcreds');
    ssh = await startSshGitServer(root);
  });
  afterAll(async () => {
    await ssh?.close();
    if (namespace) await deleteTestNamespace(namespace);
  });

  it('the project reads its Secret over HTTP, the SSH remote the key named for it; no key in any output', {
    timeout: 900_000,
  }, async () => {
    const hex = randomBytes(3).toString('hex');
    const lib = new TestRepo(root, `vault-${hex}`);
    const libCommit = lib.commit({ 'src/lib.txt': 'from the ssh remote\n', 'other/skip.txt': 'x\n' });
    const project = new TestRepo(root, `private-app-${hex}`);
    const commit = project.commit({
      'werf.yaml': [
        'project: creds',
        'configVersion: 1',
        '---',
        'image: app',
        'from: {{ env "BASE_IMAGE" }}',
        'git:',
        '- {add: /app, to: /srv/app}',
        `- {url: "${ssh.urlOf(lib.name)}", commit: ${libCommit}, add: /src, to: /srv/lib}`,
        '',
      ].join('\n'),
      'app/main.txt': 'app\n',
    });
    const { core } = adminClients();
    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'project-http' },
        type: 'kubernetes.io/basic-auth',
        stringData: { username: 'ci-bot', password },
      },
    });
    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'vault-ssh' },
        type: 'kubernetes.io/ssh-auth',
        stringData: { 'ssh-privatekey': ssh.clientKey, known_hosts: ssh.knownHosts },
      },
    });
    applyImageBuild(namespace, 'creds', {
      source: {
        git: { url: locked.urlOf(project.name), revision: 'main', secretRef: { name: 'project-http' } },
      },
      gitCredentials: [{ url: ssh.urlOf(lib.name), secretRef: { name: 'vault-ssh' } }],
      env: { BASE_IMAGE: base() },
      registry: { repository: repository(), insecure: true },
      retries: 0,
    });
    const ib = await waitForBuild(namespace, 'creds', readyAt(commit));
    const files = await finalFiles(ib, 'app');
    expect(files.get('srv/app/main.txt')?.content?.toString()).toBe('app\n');
    expect(files.get('srv/lib/lib.txt')?.content?.toString()).toBe('from the ssh remote\n');
    expect(Object.keys(filesUnder(files, 'srv/lib'))).toEqual(['lib.txt']);
    // The gitArchive pod mounts both Secrets, each at its own folder, into prepare only.
    const jobs = (await adminClients().batch.listNamespacedJob({ namespace })).items;
    const secretsOf = (j: (typeof jobs)[number]) =>
      (j.spec?.template.spec?.volumes ?? []).flatMap((v) =>
        v.secret?.secretName ? [v.secret.secretName] : [],
      );
    expect(jobs.some((j) => ['project-http', 'vault-ssh'].every((n) => secretsOf(j).includes(n)))).toBe(true);
    const keyLine = ssh.clientKey.split('\n').find((l) => l.length > 40 && !l.startsWith('-----'))!;
    const outputs = [
      JSON.stringify(ib),
      JSON.stringify(jobs),
      JSON.stringify((await core.listNamespacedEvent({ namespace })).items),
      readFileSync(join(op.dir, 'operator.log'), 'utf8'),
    ];
    for (const text of outputs) {
      expect(text).not.toContain(keyLine);
      expect(text).not.toContain(password);
    }
  });
});

describe("the repository's werf-giterminism.yaml", () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await createTestNamespace('gitermin');
  });
  afterAll(() => (namespace ? deleteTestNamespace(namespace) : undefined));

  it('allows a remote mapping on a branch, which then builds from the branch head', {
    timeout: 600_000,
  }, async () => {
    const hex = randomBytes(3).toString('hex');
    const lib = new TestRepo(root, `branchlib-${hex}`);
    lib.commit({ 'etc/motd': 'on main\n' });
    const project = new TestRepo(root, `gitermin-${hex}`);
    const commit = project.commit({
      'deploy/werf.yaml': [
        'project: gitermin',
        'configVersion: 1',
        '---',
        'image: app',
        'from: {{ env "BASE_IMAGE" }}',
        'git:',
        `- {url: "${open.urlOf(lib.name)}", branch: main, add: /etc, to: /srv/etc}`,
        '',
      ].join('\n'),
      'deploy/werf-giterminism.yaml':
        'giterminismConfigVersion: 1\nconfig:\n  stapel:\n    git:\n      allowBranch: true\n',
    });
    applyImageBuild(namespace, 'branch', {
      source: { git: { url: open.urlOf(project.name), revision: 'main', subPath: 'deploy' } },
      env: { BASE_IMAGE: base() },
      registry: { repository: repository(), insecure: true },
      retries: 0,
    });
    const ib = await waitForBuild(namespace, 'branch', readyAt(commit));
    const files = await finalFiles(ib, 'app');
    expect(files.get('srv/etc/motd')?.content?.toString()).toBe('on main\n');
  });
});
