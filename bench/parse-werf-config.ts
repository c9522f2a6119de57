// Prints how long parseWerfConfig takes on real configs and on a large
// generated one. Run: node --import tsx bench/parse-werf-config.ts
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWerfConfig } from '../src/werf/parse-config.js';

const corpus = join(import.meta.dirname, '../test/fixtures/werf-corpus');

function generated(images: number): string {
  let text = 'project: bench\nconfigVersion: 1\n';
  for (let i = 0; i < images; i++) {
    text += `---\nimage: img${i}\nfrom: ${i === 0 ? 'alpine:3.20' : `img${i - 1}`}\ngit:\n- add: /src/${i}\n  to: /app\n  includePaths: ['**/*.ts', docs]\n  stageDependencies: {install: [package.json], setup: ['**/*']}\n- add: /assets\n  to: /app/assets\nshell:\n  install: [npm ci]\n  setup: [npm run build]\nimport:\n${i > 0 ? `- {from: img${i - 1}, add: /app/dist, to: /app/prev, after: setup}\n` : ''}- {from: "busybox:1.36", add: /bin/busybox, to: /bin/busybox, before: install}\ndocker:\n  ENV: {N: "${i}"}\n`;
  }
  return text;
}

function measure(name: string, text: string, rounds: number): void {
  parseWerfConfig(text); // warm up
  const start = process.hrtime.bigint();
  let errors = 0;
  for (let i = 0; i < rounds; i++) errors = parseWerfConfig(text).errors.length;
  const perParse = Number(process.hrtime.bigint() - start) / 1e6 / rounds;
  console.log(
    `${name.padEnd(40)} ${String(text.length).padStart(8)} chars  ${perParse.toFixed(2).padStart(8)} ms/parse  (${errors} errors)`,
  );
}

measure(
  'werf-fixture-e2e-complex.werf.yaml',
  readFileSync(join(corpus, 'werf-fixture-e2e-complex.werf.yaml'), 'utf8'),
  200,
);
measure('alignfig.werf.yaml', readFileSync(join(corpus, 'alignfig.werf.yaml'), 'utf8'), 200);
measure('generated, 50 images', generated(50), 20);
measure('generated, 500 images', generated(500), 3);
