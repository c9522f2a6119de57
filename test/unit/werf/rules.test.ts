import { describe, expect, it } from 'vitest';
import { errorLines, META } from './helpers.js';

// One small input per validation rule of werf-stapel.md §2.9, with the exact
// line and column each error points at (lines count the 3-line META prefix).

const RELATIVE = 'expected a path relative to "add" (no leading "/", not leaving it with ".."), got';

describe('document rules (1-4)', () => {
  it('1: the meta document must exist', () => {
    expect(errorLines('image: a\nfrom: alpine\n')).toEqual([
      '1:1 doc -1 (document): the meta document is missing: add a first document with "project: NAME" and "configVersion: 1", followed by "---"',
    ]);
  });

  it('1: only one meta document', () => {
    expect(errorLines(`${META}image: a\nfrom: alpine\n---\nproject: u\nconfigVersion: 1\n`)).toEqual([
      '7:1 doc 2 (document): duplicate meta document: document 1 is already the meta document',
    ]);
  });

  it('1: configVersion is 1, project is a slug, deploy names are not empty', () => {
    expect(
      errorLines(
        'project: Bad_Name\nconfigVersion: 2\ndeploy:\n  namespace: ""\n---\nimage: a\nfrom: alpine\n',
      ),
    ).toEqual([
      '1:10 doc 0 project: "project" must be at most 50 characters of lowercase letters, digits and "-", starting and ending with a letter or digit; got "Bad_Name"',
      '2:16 doc 0 configVersion: "configVersion" must be 1, got 2',
      '4:14 doc 0 deploy.namespace: "deploy.namespace" cannot be empty; remove it to use the default',
    ]);
    expect(
      errorLines(`project: ${'a'.repeat(51)}\nconfigVersion: 1\n---\nimage: a\nfrom: alpine\n`),
    ).toHaveLength(1);
    expect(errorLines(`project: ${'a'.repeat(50)}\nconfigVersion: 1\n---\nimage: a\nfrom: alpine\n`)).toEqual(
      [],
    );
  });

  it('1: project is required', () => {
    expect(errorLines('configVersion: 1\n---\nimage: a\nfrom: alpine\n')).toEqual([
      '1:1 doc 0 (document): the meta document needs "project": the project name (lowercase letters, digits and "-")',
    ]);
  });

  it('2: every document is meta, Stapel or Dockerfile', () => {
    expect(errorLines(`${META}name: a\nfrom: alpine\n`)).toEqual([
      '4:1 doc 1 (document): cannot tell what this document is: expected "configVersion" (the meta document), "image" or "artifact" (a Stapel image) or "dockerfile" (a Dockerfile image)',
    ]);
    expect(errorLines(`${META}just text\n`)).toEqual([
      '4:1 doc 1 (document): a document must be a mapping: the meta document (configVersion, project), an image (image: NAME) or a Dockerfile image (dockerfile: PATH)',
    ]);
  });

  it('3: unknown fields are errors at every level, pointing at the key', () => {
    expect(
      errorLines(`${META}image: a\nfrom: alpine\nfinl: false\ngit:\n- add: /\n  to: /app\n  inclde: [a]\n`),
    ).toEqual([
      '6:1 doc 1 finl: unknown field "finl" in a Stapel image; known fields: image, artifact, final, from, fromImage, fromArtifact, fromLatest, fromCacheVersion, cacheVersion, disableGitAfterPatch, git, shell, ansible, mount, docker, import, dependencies, platform, network, secrets, imageSpec',
      '10:3 doc 1 git[0].inclde: unknown field "inclde" in git mapping; known fields: url, branch, tag, commit, basicAuth, add, to, owner, group, includePaths, excludePaths, stageDependencies',
    ]);
  });

  it('3: YAML is strict: duplicate keys and syntax errors', () => {
    expect(errorLines(`${META}image: a\nfrom: alpine\nfrom: b\n`)).toEqual([
      '6:1 doc 1 (document): invalid YAML: Map keys must be unique',
    ]);
  });

  it('3: field types as yaml.v2 decodes them', () => {
    expect(
      errorLines(`${META}image: a\nfrom: [alpine]\nfinal: "true"\nshell:\n  install: {a: b}\ngit: /x\n`),
    ).toEqual([
      '5:7 doc 1 from: expected a string, got a list',
      '6:8 doc 1 final: expected true or false, got the string "true"',
      '8:12 doc 1 shell.install: expected a string or a list of strings, got a mapping',
      '9:6 doc 1 git: expected a list of git mappings, got the string "/x"',
    ]);
  });

  it('4: image is a string, a list or null; exactly one of image and artifact', () => {
    expect(errorLines(`${META}image: {a: 1}\nfrom: alpine\n`)).toEqual([
      '4:8 doc 1 image: expected an image name, a list of image names or null, got a mapping',
    ]);
    expect(errorLines(`${META}image: a\nartifact: b\nfrom: alpine\n`)).toEqual([
      '5:1 doc 1 artifact: a document declares "image" or "artifact", not both',
    ]);
    expect(errorLines(`${META}artifact: ""\nfrom: alpine\n`)).toEqual([
      '4:11 doc 1 artifact: an artifact needs a name ("artifact: NAME"); for a nameless image write "image: ~"',
    ]);
    expect(errorLines(`${META}image: [a, b]\nfrom: alpine\n`)).toEqual([]);
  });
});

describe('image rules (5-12)', () => {
  it('5: a base is required', () => {
    expect(errorLines(`${META}image: a\nshell:\n  install: [x]\n`)).toEqual([
      '4:1 doc 1 (document): the base image is missing: set "from" (an image of this config or an external reference such as "alpine:3.20")',
    ]);
  });

  it('6: an image cannot be its own base via fromImage; a plain from means NAME:latest', () => {
    expect(errorLines(`${META}image: a\nfromImage: a\n`)).toEqual([
      '5:12 doc 1 fromImage: image "a" cannot use itself as its base',
    ]);
    expect(errorLines(`${META}image: alpine\nfrom: alpine\n`)).toEqual([]);
  });

  it('7: fromArtifact does not combine with from', () => {
    expect(
      errorLines(`${META}image: a\nfrom: alpine\nfromArtifact: b\n---\nartifact: b\nfrom: alpine\n`),
    ).toEqual([
      '6:1 doc 1 fromArtifact: "fromArtifact" cannot be combined with "from" or "fromImage": the image has one base',
    ]);
  });

  it('8 and 23: mounts', () => {
    const text = `${META}image: a\nfrom: alpine\nmount:\n- {from: tmp_dir, to: /x}\n- {from: tmp_dir, to: /x/}\n- {to: rel, from: tmp_dir}\n- {to: /y}\n- {to: /z, from: tmp_dir, fromPath: /h}\n- {to: /w, from: host_dir}\n`;
    expect(errorLines(text)).toEqual([
      '8:23 doc 1 mount[1].to: mount[0] already mounts at "/x": two mounts cannot share "to"',
      '9:8 doc 1 mount[2].to: mount "to" must be an absolute path, got "rel"',
      '10:3 doc 1 mount[3]: mount needs "from" (tmp_dir or build_dir) or "fromPath" (a host directory)',
      '11:3 doc 1 mount[4]: mount takes "from" (tmp_dir or build_dir) or "fromPath" (a host directory), not both',
      '12:18 doc 1 mount[5].from: expected one of "tmp_dir", "build_dir", got "host_dir"',
    ]);
  });

  it('9: shell and ansible exclude each other; ansible is not supported here', () => {
    expect(
      errorLines(`${META}image: a\nfrom: alpine\nshell: {install: [x]}\nansible: {install: []}\n`),
    ).toEqual([
      '7:1 doc 1 ansible: "shell" and "ansible" cannot be used together',
      '7:1 doc 1 ansible: ansible is not supported by this builder (werf runs it only with its Docker backend, and werf v3 removed it); rewrite the stages as "shell" commands',
    ]);
  });

  it('10: docker and imageSpec exclude each other', () => {
    expect(
      errorLines(`${META}image: a\nfrom: alpine\ndocker: {WORKDIR: /app}\nimageSpec: {author: me}\n`),
    ).toEqual([
      '6:1 doc 1 docker: "docker" and "imageSpec" cannot be used together; move the docker settings into imageSpec.config',
    ]);
  });

  it('11: what an artifact cannot have', () => {
    const text = `${META}artifact: a\nfrom: alpine\nfinal: false\ndisableGitAfterPatch: true\ndocker: {USER: app}\ndependencies: []\n`;
    const hint = 'use "image:" with "final: false" instead of "artifact:" to get it';
    expect(errorLines(text)).toEqual([
      `6:1 doc 1 final: an artifact cannot have "final"; ${hint}`,
      `7:1 doc 1 disableGitAfterPatch: an artifact cannot have "disableGitAfterPatch"; ${hint}`,
      `8:1 doc 1 docker: an artifact cannot have "docker"; ${hint}`,
      `9:1 doc 1 dependencies: an artifact cannot have "dependencies"; ${hint}`,
    ]);
  });

  it('12: giterminism forbids unrepeatable inputs unless werf-giterminism.yaml allows them', () => {
    const text = `${META}image: a\nfrom: alpine\nfromLatest: true\ngit:\n- {url: "https://h/r.git", to: /r, branch: main}\n- {url: "https://h/q.git", to: /q}\n- {url: "https://h/p.git", to: /p, commit: abc}\nmount:\n- {from: build_dir, to: /c}\n- {fromPath: /host, to: /h}\nsecrets:\n- {env: TOKEN}\n- {src: ./f}\n- {id: x, value: v}\n`;
    const lines = errorLines(text);
    expect(lines.map((l) => l.split(': ')[0])).toEqual([
      '6:13 doc 1 fromLatest',
      '8:44 doc 1 git[0].branch',
      '9:3 doc 1 git[1]',
      '12:10 doc 1 mount[0].from',
      '13:14 doc 1 mount[1].fromPath',
      '15:9 doc 1 secrets[0].env',
      '16:9 doc 1 secrets[1].src',
      '17:8 doc 1 secrets[2].id',
    ]);
    expect(lines.every((l) => l.endsWith('(giterminism)'))).toBe(true);
    const allowed = {
      stapel: {
        allowFromLatest: true,
        git: { allowBranch: true },
        mount: { allowBuildDir: true, allowFromPaths: ['/host'] },
      },
      secrets: { allowEnvVariables: ['TOKEN'], allowFiles: ['./f'], allowValueIds: ['x'] },
    };
    expect(errorLines(text, { giterminism: allowed })).toEqual([]);
    expect(errorLines(text, { giterminism: { loose: true } })).toEqual([]);
  });
});

describe('git mapping rules (13-15)', () => {
  it('13-15: add/to absolute, globs relative, refs only on remote mappings and at most one', () => {
    const text = `${META}image: a\nfrom: alpine\ngit:\n- add: src\n  to: app\n- add: /\n  includePaths: [/abs, ../up, ok/../../x]\n  stageDependencies: {install: /x, setup: [a, ../b]}\n- add: /\n  to: /l\n  branch: main\n- url: https://x/y.git\n  to: /r\n  tag: v1\n  commit: abc\n`;
    expect(errorLines(text)).toEqual([
      '7:8 doc 1 git[0].add: git "add" must be an absolute path in the repository (e.g. "/src"), got "src"',
      '8:7 doc 1 git[0].to: git "to" must be an absolute path in the image (e.g. "/app"), got "app"',
      '9:3 doc 1 git[1]: git mapping needs "to": the absolute path in the image the files go to',
      `10:18 doc 1 git[1].includePaths[0]: ${RELATIVE} "/abs"`,
      `10:24 doc 1 git[1].includePaths[1]: ${RELATIVE} "../up"`,
      `10:31 doc 1 git[1].includePaths[2]: ${RELATIVE} "ok/../../x"`,
      `11:32 doc 1 git[1].stageDependencies.install: ${RELATIVE} "/x"`,
      `11:47 doc 1 git[1].stageDependencies.setup[1]: ${RELATIVE} "../b"`,
      '14:3 doc 1 git[2].branch: "branch" is only for remote git mappings (with "url"); a local mapping always uses the project\'s commit',
      '15:3 doc 1 git[3]: a remote git mapping takes at most one of "branch", "tag", "commit"; got "tag" and "commit"',
    ]);
  });

  it('stageDependencies has only install, beforeSetup and setup', () => {
    expect(
      errorLines(
        `${META}image: a\nfrom: alpine\ngit:\n- to: /app\n  stageDependencies: {beforeInstall: [x]}\n`,
      ),
    ).toEqual([
      '8:23 doc 1 git[0].stageDependencies.beforeInstall: unknown field "beforeInstall" in git stageDependencies (only install, beforeSetup and setup); known fields: install, beforeSetup, setup',
    ]);
  });
});

describe('import rules (17-22)', () => {
  it('17-21: source, before/after, stage, absolute add/to, relative globs', () => {
    const text = `${META}image: src\nfrom: alpine\n---\nimage: a\nfrom: alpine\nimport:\n- {from: src, image: src, add: /a, after: install}\n- {artifact: src, from: src, add: /a, after: install}\n- {add: /a, after: install}\n- {from: src, add: /a, before: install, after: setup}\n- {from: src, add: /a}\n- {from: src, add: rel, to: rel2, after: install}\n- {from: src, add: /a, stage: build, after: install}\n- {from: src, add: /a, after: finish, includePaths: [/x], excludePaths: ../y}\n- {from: src, after: install}\n`;
    expect(errorLines(text)).toEqual([
      '10:3 doc 2 import[0]: import takes "from" or "image" (the same thing), not both',
      '11:3 doc 2 import[1]: import takes "from"/"image" or the legacy "artifact", not both',
      '12:3 doc 2 import[2]: import needs a source: "from" (an image of this config or an external reference)',
      '13:3 doc 2 import[3]: import takes one of "before" or "after", not both',
      '14:3 doc 2 import[4]: import needs "before" or "after" with "install" or "setup": when its files are added',
      '15:20 doc 2 import[5].add: import "add" must be an absolute path in the source image, got "rel"',
      '15:29 doc 2 import[5].to: import "to" must be an absolute path in this image, got "rel2"',
      '16:31 doc 2 import[6].stage: expected one of "beforeInstall", "install", "beforeSetup", "setup", got "build"',
      '17:31 doc 2 import[7].after: expected one of "install", "setup", got "finish"',
      `17:54 doc 2 import[7].includePaths[0]: ${RELATIVE} "/x"`,
      `17:73 doc 2 import[7].excludePaths: ${RELATIVE} "../y"`,
      '18:3 doc 2 import[8]: import needs "add": the absolute path in the source image',
    ]);
  });
});

describe('dependency rules (24)', () => {
  it('image required, one of before/after, type in the set, targetEnv required and unique, no targetBuildArg', () => {
    const text = `${META}image: b\nfrom: alpine\n---\nimage: a\nfrom: alpine\ndependencies:\n- {before: install}\n- image: b\n  after: setup\n  imports:\n  - {type: ImageName, targetEnv: X}\n  - {type: ImageTag, targetEnv: X}\n  - {type: Bogus, targetEnv: Y}\n  - {targetEnv: Z}\n  - {type: ImageID, targetBuildArg: A}\n- {image: b}\n`;
    expect(errorLines(text)).toEqual([
      '10:3 doc 2 dependencies[0]: dependency needs "image": the name of another image of this config',
      '15:33 doc 2 dependencies[1].imports[1].targetEnv: "targetEnv" "X" is already set by imports[0] of this dependency',
      '16:12 doc 2 dependencies[1].imports[2].type: expected one of "ImageName", "ImageTag", "ImageRepo", "ImageID", "ImageDigest", got "Bogus"',
      '17:5 doc 2 dependencies[1].imports[3]: dependency import needs "type": one of ImageName, ImageTag, ImageRepo, ImageID, ImageDigest',
      '18:5 doc 2 dependencies[1].imports[4]: dependency import needs "targetEnv": the environment variable to set',
      '18:21 doc 2 dependencies[1].imports[4].targetBuildArg: "targetBuildArg" is not allowed for a Stapel image; use "targetEnv"',
      '19:3 doc 2 dependencies[2]: dependency needs "before" or "after" with "install" or "setup": when its files are added',
    ]);
  });

  it('Dockerfile images take targetBuildArg and no before/after', () => {
    const text = `${META}image: b\nfrom: alpine\n---\nimage: d\ndockerfile: Dockerfile\ndependencies:\n- image: b\n  after: install\n  imports: [{type: ImageName, targetEnv: X}]\n`;
    expect(errorLines(text)).toEqual([
      '11:3 doc 2 dependencies[0].after: "after" is for Stapel images; a Dockerfile image gets dependencies as build args',
      '12:13 doc 2 dependencies[0].imports[0]: dependency import needs "targetBuildArg": the build argument to set',
      '12:31 doc 2 dependencies[0].imports[0].targetEnv: "targetEnv" is not allowed for a Dockerfile image; use "targetBuildArg"',
    ]);
  });
});

describe('config rules (26-29)', () => {
  it('26: unique names; a nameless image only as the single final image', () => {
    expect(
      errorLines(
        `${META}image: a\nfrom: alpine\n---\nimage: [b, a]\nfrom: alpine\n---\nimage: ~\nfrom: alpine\n`,
      ),
    ).toEqual([
      '7:12 doc 2 image[1]: image name "a" is already used by document 2; names must be unique',
      '10:8 doc 3 image: a nameless image ("image: ~") is only allowed when the config has a single final image; this one has 4: give it a name',
    ]);
    expect(errorLines(`${META}image: a\nfinal: false\nfrom: alpine\n---\nimage: ""\nfrom: alpine\n`)).toEqual(
      [],
    );
  });

  it('27: referenced images exist (from is a lookup, never an error)', () => {
    const text = `${META}image: a\nfromArtifact: nope\nimport:\n- {from: missing, add: /x, after: install}\n- {from: "alpine:3.20", add: /x, to: /y, after: install}\ndependencies:\n- {image: gone, after: install}\n`;
    expect(errorLines(text)).toEqual([
      '5:15 doc 1 fromArtifact: "fromArtifact" names "nope", which is not an image or artifact of this config',
      '7:10 doc 1 import[0].from: import source "missing" is not an image of this config; for an external image give a tag or digest (e.g. "missing:latest")',
      '10:11 doc 1 dependencies[0].image: dependency "gone" is not an image of this config',
    ]);
  });

  it('28: no cycles; the chain is named', () => {
    const text = `${META}image: a\nfrom: b\n---\nimage: b\nfrom: alpine\nimport:\n- {from: c, add: /x, after: install}\n---\nimage: c\nfrom: a\n`;
    expect(errorLines(text)).toEqual([
      '13:7 doc 3 from: images depend on each other in a cycle: "a" -> "b" -> "c" -> "a"',
    ]);
  });

  it('29: platforms of import sources cover the importer (own platform lists only, host by default)', () => {
    const text = `${META}image: s\nfrom: alpine\nplatform: [linux/arm64]\n---\nimage: a\nfrom: alpine\nimport:\n- {from: s, add: /x, after: install}\n`;
    expect(errorLines(text)).toEqual([
      '11:10 doc 2 import[0].from: "s" is not built for linux/amd64, which "a" is built for; add it to the "platform" of "s"',
    ]);
    expect(errorLines(text, { hostPlatform: 'linux/arm64' })).toEqual([]);
  });
});

describe('all errors, not the first', () => {
  it('a bad field does not hide rule errors elsewhere in the same document', () => {
    const text = `${META}image: a\nfrom: alpine\nfinal: maybe\nimport:\n- {from: nope, add: rel, after: install}\n`;
    expect(errorLines(text)).toEqual([
      '6:8 doc 1 final: expected true or false, got the string "maybe"',
      '8:21 doc 1 import[0].add: import "add" must be an absolute path in the source image, got "rel"',
    ]);
  });
});
