import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  copyInstruction,
  parseExecForm,
  quotedWord,
  runInstruction,
  shellRunArgv,
} from '../../../src/plan/dockerfile-syntax.js';
import { dockerInstructionLines, imageSpecLines } from '../../../src/plan/metadata-instructions.js';
import { readableDockerfile } from '../../../src/plan/recipe.js';
import { parseWerfConfig } from '../../../src/werf/parse-config.js';
import { renderWerfConfig } from '../../../src/werf/render/index.js';
import { askOracle, buildGoOracle } from '../../oracles/go-oracle.js';
import { corpusCases } from '../werf/render/corpus-helpers.js';
import { docker, imageSpec } from './model-builders.js';
import { planWithWorld } from './world.js';

// Differential test of the Dockerfile text against BuildKit's own Dockerfile
// frontend (test/oracles/dockerfile, the parser Kaniko uses): what the
// builder reads back from every instruction we write must be exactly the
// value we meant, for any character a user can write.

interface Parsed {
  error?: string;
  from?: string;
  instructions?: {
    kind: string;
    args?: string[];
    chown?: string;
    pairs?: Record<string, string>;
    values?: string[];
  }[];
}

let oracle = '';
beforeAll(() => {
  oracle = buildGoOracle('dockerfile');
}, 600_000);

function parse(dockerfiles: string[]): Parsed[] {
  return askOracle(
    oracle,
    dockerfiles.map((dockerfile) => ({ dockerfile })),
  ).map((line) => JSON.parse(line) as Parsed);
}

const noLineBreak = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !/[\r\n\0]/.test(s));

describe('Dockerfile text read back by BuildKit', () => {
  it('RUN carries any command text unchanged, heredocs and continuations included', () => {
    const scripts = [
      [`echo 'it''s' "it's"`],
      ['X=1; echo "$X" \'$X\' \\$X'],
      ['printf "%s\\n" "back\\\\slash" \'C:\\dir\\\''],
      ['cat <<EOF\nhello $((1+2))\nEOF'],
      ["cat <<'EOF'\n$HOME `x` \\n\nEOF"],
      ['echo one \\\ntwo', 'echo three \\'],
      ['# a comment line', 'RUN echo not an instruction', 'FROM scratch'],
      ['echo \'["/bin/sh", "-c"]\''],
    ];
    const sample = fc.sample(
      fc.array(
        fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => !s.includes('\0')),
        { minLength: 1, maxLength: 4 },
      ),
      200,
    );
    const all = [...scripts, ...sample];
    const answers = parse(all.map((commands) => `FROM busybox\n${runInstruction(commands, ['/tmp_dir'])}\n`));
    answers.forEach((answer, i) => {
      expect(answer.error).toBeUndefined();
      expect(answer.instructions).toEqual([{ kind: 'RUN', args: shellRunArgv(all[i]!, ['/tmp_dir']) }]);
    });
  });

  it('ENV and LABEL keep any single-line value, quotes, $ and backslashes included', () => {
    const values = [
      ...fc.sample(noLineBreak, 300),
      '',
      'a"b',
      '$HOME',
      '${X:-y}',
      'back\\slash\\',
      'x=y',
      '  spaced  ',
      '#not comment',
    ];
    const lines = values.map((v, i) => `ENV ${quotedWord(`K${i}`, 'name')}=${quotedWord(v, 'value')}`);
    const labels = values.map(
      (v, i) => `LABEL ${quotedWord(`org.example/k${i} x`, 'name')}=${quotedWord(v, 'value')}`,
    );
    const [env, label] = parse([
      `FROM busybox\n${lines.join('\n')}\n`,
      `FROM busybox\n${labels.join('\n')}\n`,
    ]);
    expect(env!.error).toBeUndefined();
    expect(env!.instructions!.map((i) => i.pairs)).toEqual(values.map((v, i) => ({ [`K${i}`]: v })));
    expect(label!.instructions!.map((i) => i.pairs)).toEqual(
      values.map((v, i) => ({ [`org.example/k${i} x`]: v })),
    );
  });

  it('COPY keeps paths with spaces and unicode and the --chown value', () => {
    const entries = [
      { path: 'imports/0/assets', to: '/var/www/site/assets', owner: 'www', group: 'www' },
      { path: 'imports/1/my file.txt', to: '/opt/my dir/ünï file', owner: '1001', group: '' },
      { path: 'git/0/root', to: '/', owner: '', group: 'staff' },
      { path: 'git/1/app', to: '/app', owner: '', group: '' },
    ];
    const [answer] = parse([`FROM busybox\n${entries.map(copyInstruction).join('\n')}\n`]);
    expect(answer!.error).toBeUndefined();
    expect(answer!.instructions).toEqual([
      { kind: 'COPY', args: ['imports/0/assets', '/var/www/site/assets'], chown: 'www:www' },
      { kind: 'COPY', args: ['imports/1/my file.txt', '/opt/my dir/ünï file'], chown: '1001' },
      { kind: 'COPY', args: ['git/0/root', '/'], chown: '0:staff' },
      { kind: 'COPY', args: ['git/1/app', '/app'] },
    ]);
  });

  it('docker: instructions mean what werf means', () => {
    const lines = dockerInstructionLines(
      docker({
        volume: ['/data', '/var/lib/my app'],
        expose: ['8080/tcp', '53/udp'],
        env: { PATH: '/usr/local/bin:$PATH', QUOTE: 'say "hi"' },
        label: { 'org.opencontainers.image.title': 'shop site' },
        entrypoint: '["/bin/app", "--flag=a b"]',
        cmd: 'sleep infinity',
        workdir: '/srv/my app',
        user: '1001:1001',
        healthcheck: 'CMD wget -q -O- http://localhost:8080/ || exit 1',
      }),
    );
    const [answer] = parse([`FROM busybox\n${lines.join('\n')}\n`]);
    expect(answer!.error).toBeUndefined();
    expect(answer!.instructions).toEqual([
      { kind: 'VOLUME', values: ['/data', '/var/lib/my app'] },
      { kind: 'EXPOSE', values: ['8080/tcp'] },
      { kind: 'EXPOSE', values: ['53/udp'] },
      { kind: 'ENV', pairs: { PATH: '/usr/local/bin:$PATH' } },
      { kind: 'ENV', pairs: { QUOTE: 'say "hi"' } },
      { kind: 'LABEL', pairs: { 'org.opencontainers.image.title': 'shop site' } },
      { kind: 'WORKDIR', values: ['/srv/my app'] },
      { kind: 'USER', values: ['1001:1001'] },
      { kind: 'ENTRYPOINT', args: ['/bin/app', '--flag=a b'] },
      // werf runs a string CMD under /bin/sh -c
      { kind: 'CMD', args: ['/bin/sh', '-c', 'sleep infinity'] },
      { kind: 'HEALTHCHECK', args: ['CMD-SHELL', 'wget -q -O- http://localhost:8080/ || exit 1'] },
    ]);
  });

  it('imageSpec: instructions set the config fields', () => {
    const lines = imageSpecLines(
      imageSpec({
        author: 'Shop Team <team@example.com>',
        config: {
          labels: { a: '1' },
          env: { E: 'v w' },
          volumes: ['/v'],
          expose: ['80'],
          user: 'app',
          cmd: ['serve', '--port', '80'],
          entrypoint: ['/bin/app'],
          workingDir: '/w',
          stopSignal: 'SIGTERM',
          healthcheck: {
            test: ['CMD', 'curl', '-f', 'http://x/'],
            interval: 30,
            timeout: 5,
            startPeriod: 0,
            retries: 3,
          },
        },
      }),
    );
    const [answer] = parse([`FROM busybox\n${lines.join('\n')}\n`]);
    expect(answer!.error).toBeUndefined();
    expect(answer!.instructions).toEqual([
      { kind: 'MAINTAINER', values: ['Shop Team <team@example.com>'] },
      { kind: 'ENV', pairs: { E: 'v w' } },
      { kind: 'LABEL', pairs: { a: '1' } },
      { kind: 'VOLUME', values: ['/v'] },
      { kind: 'EXPOSE', values: ['80'] },
      { kind: 'USER', values: ['app'] },
      { kind: 'WORKDIR', values: ['/w'] },
      { kind: 'ENTRYPOINT', args: ['/bin/app'] },
      { kind: 'CMD', args: ['serve', '--port', '80'] },
      { kind: 'STOPSIGNAL', values: ['SIGTERM'] },
      { kind: 'HEALTHCHECK', args: ['CMD', 'curl', '-f', 'http://x/'] },
    ]);
  });

  it('every stage Dockerfile of the corpus and the seed parses, and its RUN is the stage commands', () => {
    const texts: string[] = [];
    const commands: (string[] | undefined)[] = [];
    const seed = { name: 'seed', text: readFileSync('examples/seed/werf.yaml', 'utf8'), options: {} };
    for (const c of [...corpusCases(), seed]) {
      const parsed = parseWerfConfig(renderWerfConfig(c.text, c.options));
      if (parsed.errors.length > 0) continue;
      const plan = planWithWorld(parsed.config, {
        git: { url: 'https://git.example/p.git', commit: 'c'.repeat(40) },
      });
      for (const image of plan.images) {
        for (const stage of image.stages) {
          texts.push(readableDockerfile(stage.recipe!, 'registry.example/corpus'));
          commands.push(stage.recipe!.run?.commands);
        }
      }
    }
    expect(texts.length).toBeGreaterThan(40);
    parse(texts).forEach((answer, i) => {
      expect(answer.error).toBeUndefined();
      const run = answer.instructions!.find((x) => x.kind === 'RUN');
      const mine = texts[i]!.split('\n').find((l) => l.startsWith('RUN '));
      expect(run?.args).toEqual(mine ? parseExecForm(mine) : undefined);
      if (commands[i]?.length) expect(run!.args![3]).toBe(commands[i]!.join('\n'));
    });
  });
});
