// `npm run bench:plan`: how long one reconcile pass spends planning.
// Plans a generated config of 200 images (git, shell, imports, docker) with
// every fact known (the steady state of a build) and prints the median time
// of `evaluatePlan` (what the reconciler runs on every pass, with the
// compiled config cached) and of the full `planBuild` (compile + evaluate),
// plus peak memory. Figures only: targets are checked by people, not tests.
import os from 'node:os';
import type { PlanFacts } from '../src/plan/facts.js';
import { h256 } from '../src/plan/hash.js';
import { compilePlan, evaluatePlan, planBuild } from '../src/plan/planner.js';
import { parseWerfConfig } from '../src/werf/parse-config.js';
import { generatedWerfYaml } from './plan-config.js';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Sample {
  wall: number;
  cpu: number;
}

/** Wall time and this process's CPU time (user + system), in ms: on a shared machine CPU time is the fairer figure. */
function time(fn: () => void): Sample {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  fn();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - start) / 1e6, cpu: (used.user + used.system) / 1000 };
}

function describe(samples: Sample[]): string {
  return `median ${median(samples.map((s) => s.wall)).toFixed(1)} ms wall, ${median(samples.map((s) => s.cpu)).toFixed(1)} ms CPU over ${samples.length} runs`;
}

/** Heap a plan keeps alive, when node runs with --expose-gc. */
function retainedHeapMb(make: () => unknown): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return 'n/a (run with --expose-gc)';
  const copies = 10;
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: copies }, make);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (kept.length !== copies) throw new Error('unreachable');
  return `${((after - before) / copies / 1024 / 1024).toFixed(1)} MB`;
}

const text = generatedWerfYaml(IMAGES);
const parsed = parseWerfConfig(text, { fileName: 'bench.werf.yaml' });
if (parsed.errors.length > 0) {
  throw new Error(`generated config does not parse: ${parsed.errors[0]!.message}`);
}
const request = {
  repository: 'registry.example/bench',
  git: { url: 'https://git.example/bench.git', commit: 'c'.repeat(40) },
};

// Learn every fact the way the reconciler would, pass after pass.
const facts = {
  stageImages: new Map(),
  importChecksums: new Map<string, string>(),
  gitCommits: new Map<string, string>(),
  gitContent: new Map<string, string>(),
} satisfies PlanFacts;
const compiled = compilePlan(parsed.config, request);
let passes = 0;
for (;;) {
  const plan = evaluatePlan(compiled, facts);
  passes++;
  const open = plan.needs.filter((n) => n.kind !== 'stageImage');
  if (open.length === 0) break;
  for (const n of open) {
    if (n.kind === 'importChecksum') facts.importChecksums.set(n.key, h256('files', n.key));
    if (n.kind === 'gitContent') facts.gitContent.set(n.key, h256('content', n.key));
  }
}
const final = evaluatePlan(compiled, facts);
const stages = final.images.reduce((sum, i) => sum + i.stages.length, 0);
const ready = final.images.reduce((sum, i) => sum + i.stages.filter((s) => s.status === 'ready').length, 0);

for (let i = 0; i < 5; i++) evaluatePlan(compiled, facts); // warm-up
const evaluate = Array.from({ length: RUNS }, () => time(() => evaluatePlan(compiled, facts)));
const full = Array.from({ length: RUNS }, () => time(() => planBuild(parsed.config, request, facts)));
const parse = Array.from({ length: Math.min(RUNS, 5) }, () => time(() => parseWerfConfig(text)));
const planHeap = retainedHeapMb(() => evaluatePlan(compiled, facts));

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
process.stdout.write(
  [
    `plan benchmark: ${IMAGES} images, ${stages} stages (${ready} ready), ${text.length} bytes of werf.yaml`,
    `  facts learned in ${passes} planning passes`,
    `  evaluatePlan (every reconcile pass): ${describe(evaluate)}`,
    `  planBuild (compile + evaluate):      ${describe(full)}`,
    `  parseWerfConfig (for reference):     ${describe(parse)}`,
    `  heap kept by one plan: ${planHeap}`,
    `  peak RSS of the whole process (YAML parsing included): ${mb(process.resourceUsage().maxRSS * 1024)} MB`,
    `  machine: ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}`,
    '  target (issue 5): under 100 ms and 100 MB on one core',
    '',
  ].join('\n'),
);
