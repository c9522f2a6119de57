import { describe, expect, it } from 'vitest';
import type { PrepareGit } from '../../../src/plan/prepare-spec.js';
import {
  buildStageJob,
  PREPARE_GIT_AUTH_DIR,
  PREPARE_SPEC_ENV,
} from '../../../src/reconciler/resources/job.js';
import { imageBuild, prepareSpec } from './fixtures.js';

// The build pod's access to private repositories: the Secrets of
// spec.source.git and spec.gitCredentials are mounted read-only into prepare
// only, and the prepare spec names their folders, never a credential.

const settings = { operatorImage: 'example.com/op:1', defaultBuilderImage: 'example.com/kaniko:1' };
const digest = 'a'.repeat(64);
const entry = (url: string, dir: string): PrepareGit => ({
  dir,
  path: `${dir}/app`,
  url,
  commit: 'b'.repeat(40),
  add: '/app',
  to: '/app',
  includePaths: [],
  excludePaths: [],
  selectPaths: [],
  skipPaths: [],
});
const stage = {
  image: 'app',
  stage: 'gitArchive',
  digest,
  prepareSpec: {
    ...prepareSpec('app', 'gitArchive', digest),
    git: [
      entry('https://git.example.com/team/app.git', 'git/0'),
      entry('https://other.example/lib.git', 'git/1'),
    ],
  },
};

function specOf(job: ReturnType<typeof buildStageJob>) {
  const prepare = job.spec!.template.spec!.initContainers![0]!;
  return JSON.parse(
    prepare.env!.find((e) => e.name === PREPARE_SPEC_ENV)!.value!,
  ) as typeof stage.prepareSpec;
}

describe('buildStageJob with a git Secret', () => {
  const build = imageBuild({
    source: {
      git: {
        url: 'https://git.example.com/team/app.git',
        revision: 'main',
        secretRef: { name: 'git-creds' },
      },
    },
  });
  const job = buildStageJob(build, stage, settings);
  const pod = job.spec!.template.spec!;

  it('mounts the Secret read-only into prepare only', () => {
    expect(pod.volumes).toContainEqual({
      name: 'git-auth-0',
      secret: { secretName: 'git-creds', defaultMode: 0o400 },
    });
    expect(pod.initContainers![0]!.volumeMounts).toContainEqual({
      name: 'git-auth-0',
      mountPath: `${PREPARE_GIT_AUTH_DIR}/0`,
      readOnly: true,
    });
    expect(JSON.stringify(pod.containers)).not.toContain('git-auth');
  });

  it('points same-origin entries at the mount and leaves other hosts anonymous', () => {
    const spec = specOf(job);
    expect(spec.git.map((g) => g.credentialsDir)).toEqual([`${PREPARE_GIT_AUTH_DIR}/0`, undefined]);
    // The stage's own spec object is not changed.
    expect(stage.prepareSpec.git[0]!.credentialsDir).toBeUndefined();
  });

  it('passes nothing secret as an argument or env value', () => {
    const pod = job.spec!.template.spec!;
    for (const c of [...pod.initContainers!, ...pod.containers]) {
      expect(JSON.stringify(c.args ?? [])).not.toMatch(/git-creds|password|token/);
      for (const e of c.env ?? []) expect(e.valueFrom).toBeUndefined();
    }
  });

  it('mounts nothing without a secretRef or without an entry on that host', () => {
    const anonymous = buildStageJob(
      imageBuild({ source: { git: { url: 'https://git.example.com/team/app.git', revision: 'main' } } }),
      stage,
      settings,
    );
    expect(JSON.stringify(anonymous)).not.toContain('git-auth');
    const elsewhere = buildStageJob(
      imageBuild({
        source: {
          git: { url: 'https://third.example/x.git', revision: 'main', secretRef: { name: 'git-creds' } },
        },
      }),
      stage,
      settings,
    );
    expect(JSON.stringify(elsewhere)).not.toContain('git-creds');
    expect(specOf(elsewhere).git.every((g) => g.credentialsDir === undefined)).toBe(true);
  });
});

describe('buildStageJob with spec.gitCredentials', () => {
  it('mounts each Secret a git entry uses at its own folder, once', () => {
    const three = {
      ...stage,
      prepareSpec: {
        ...stage.prepareSpec,
        git: [...stage.prepareSpec.git, entry('https://other.example/lib2.git', 'git/2')],
      },
    };
    const build = imageBuild({
      source: {
        git: {
          url: 'https://git.example.com/team/app.git',
          revision: 'main',
          secretRef: { name: 'project' },
        },
      },
      gitCredentials: [
        { url: 'https://other.example', secretRef: { name: 'other' } },
        { url: 'https://nowhere.example', secretRef: { name: 'unused' } },
      ],
    });
    const job = buildStageJob(build, three, settings);
    const pod = job.spec!.template.spec!;
    expect(pod.volumes!.filter((v) => v.name.startsWith('git-auth'))).toEqual([
      { name: 'git-auth-0', secret: { secretName: 'project', defaultMode: 0o400 } },
      { name: 'git-auth-1', secret: { secretName: 'other', defaultMode: 0o400 } },
    ]);
    expect(specOf(job).git.map((g) => g.credentialsDir)).toEqual([
      `${PREPARE_GIT_AUTH_DIR}/0`,
      `${PREPARE_GIT_AUTH_DIR}/1`,
      `${PREPARE_GIT_AUTH_DIR}/1`,
    ]);
    expect(JSON.stringify(job)).not.toContain('unused');
  });
});
