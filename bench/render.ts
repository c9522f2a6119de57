// Prints the time to render the largest werf.yaml of the corpus 1000 times
// (npm run bench:render). Figures only; nothing is asserted.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { renderWerfConfig } from '../src/werf/render/index.js';
import { corpusDir } from '../test/unit/werf/render/corpus-helpers.js';

const runs = Number(process.argv[2] ?? 1000);
const largest = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.werf.yaml'))
  .map((f) => ({ f, size: statSync(join(corpusDir, f)).size }))
  .sort((a, b) => b.size - a.size)[0]!;
const text = readFileSync(join(corpusDir, largest.f), 'utf8');
const options = { werfEnv: 'production' };

for (let i = 0; i < 50; i++) renderWerfConfig(text, options); // warm-up
const start = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
let bytes = 0;
for (let i = 0; i < runs; i++) bytes += renderWerfConfig(text, options).length;
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
// CPU time is printed too: on a shared machine wall time mostly measures the neighbours.
console.log(
  `render ${largest.f} (${largest.size} bytes) x${runs}: ${ms.toFixed(1)} ms wall, ${cpuMs.toFixed(1)} ms CPU; ` +
    `${((ms * 1000) / runs).toFixed(1)} µs wall / ${((cpuMs * 1000) / runs).toFixed(1)} µs CPU per render, ` +
    `${(bytes / runs).toFixed(0)} bytes out`,
);
