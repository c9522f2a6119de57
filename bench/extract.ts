// Benchmark: extracting a ~200 MB subtree of a registry image with the
// project's layer reader (registry -> verify -> gunzip -> tar -> whiteouts ->
// workspace files, what `prepare` does) next to `tar -xzf` of the same layer
// blobs from local disk. Prints throughputs and their ratio; asserts nothing.
//
//   npm run bench:extract            (starts its own docker-registry on loopback)
//   BENCH_MB=400 npm run bench:extract
//   BENCH_CPU_PROF=out.cpuprofile npm run bench:extract   (V8 CPU profile of the prepare runs only)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrepareImport } from '../src/plan/prepare-spec.js';
import { RegistryClient } from '../src/registry/client.js';
import { prepareImports } from '../src/registry/prepare-imports.js';
import { startDockerRegistry } from '../test/support/docker-registry.js';
import type { LayerSpecEntry } from '../test/support/oci-layers.js';
import { pushImage } from '../test/support/push-image.js';

const totalMb = Number(process.env.BENCH_MB ?? 200);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const fileKb = 96;
const layers = 3;

/** Text-like bytes (compress about 4:1 with gzip, like typical application files). */
function textBlock(seed: number, size: number): Buffer {
  const words = ['alpha', 'stage', 'import', 'layer', 'digest', 'werf', 'config', 'value', 'node', 'image'];
  let x = seed * 2654435761;
  const parts: string[] = [];
  let len = 0;
  while (len < size) {
    x = (x * 1103515245 + 12345) >>> 0;
    const w = `${words[x % words.length]}${x % 997} `;
    parts.push(w);
    len += w.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** With BENCH_CPU_PROF set, a V8 CPU profile around each prepare run (written as <file>.<run>). */
async function startProfile(): Promise<{ stop(run: number): Promise<void> } | undefined> {
  const file = process.env.BENCH_CPU_PROF;
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(run) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(`${file}.${run}`, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function main() {
  const files = Math.round((totalMb * 1024) / fileKb);
  const perLayer = Math.ceil(files / layers);
  const spec: LayerSpecEntry[][] = [];
  let bytes = 0;
  for (let l = 0; l < layers; l++) {
    const entries: LayerSpecEntry[] = [{ type: 'dir', path: 'data' }];
    for (let i = l * perLayer; i < Math.min(files, (l + 1) * perLayer); i++) {
      const content = textBlock(i, fileKb * 1024);
      bytes += content.length;
      entries.push({ type: 'file', path: `data/d${i % 50}/f${i}.txt`, content });
    }
    entries.push({ type: 'file', path: `other/outside-${l}.bin`, content: textBlock(l, 1024) });
    spec.push(entries);
  }
  const registry = await startDockerRegistry();
  const work = mkdtempSync(join(tmpdir(), 'bench-extract-'));
  try {
    const client = new RegistryClient({ insecureRegistries: [registry.host] });
    process.stderr.write(
      `building and pushing a ${layers}-layer image with ${files} files (${(bytes / 1e6).toFixed(0)} MB)...\n`,
    );
    const image = await pushImage(client, `${registry.host}/bench/extract:v1`, spec);
    const blobDir = join(work, 'blobs');
    mkdirSync(blobDir);
    for (const [i, b] of image.layers.entries()) writeFileSync(join(blobDir, `layer${i}.tar.gz`), b);
    const compressed = image.layers.reduce((n, b) => n + b.length, 0);

    const ours: number[] = [];
    const tar: number[] = [];
    const oursCpu: number[] = [];
    const tarCpu: number[] = [];
    for (let run = 0; run < runs; run++) {
      const ws = join(work, `ws${run}`);
      const imp: PrepareImport = {
        dir: 'imports/0',
        path: 'imports/0/data',
        sourceRef: image.ref,
        sourceImage: 'bench',
        sourceStage: 'install',
        add: '/data',
        to: '/data',
        owner: '',
        group: '',
        includePaths: [],
        excludePaths: [],
      };
      const profiler = await startProfile();
      let t = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      await prepareImports(client, [imp], ws);
      ours.push(Number(process.hrtime.bigint() - t) / 1e9);
      const cpu = process.cpuUsage(cpu0);
      await profiler?.stop(run);
      oursCpu.push((cpu.user + cpu.system) / 1e6);
      rmSync(ws, { recursive: true, force: true });

      const out = join(work, `tar${run}`);
      mkdirSync(out);
      t = process.hrtime.bigint();
      // bash's `time` reports the CPU seconds tar and gzip used.
      const layerList = [...Array(layers).keys()].join(' ');
      const script = `TIMEFORMAT='%U %S'; time (for i in ${layerList}; do tar -xzf "$0/layer$i.tar.gz" -C "$1"; done)`;
      const r = spawnSync('bash', ['-c', script, blobDir, out], { encoding: 'utf8' });
      tar.push(Number(process.hrtime.bigint() - t) / 1e9);
      if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
      const [user, sys] = r.stderr.trim().split(/\s+/).map(Number);
      tarCpu.push((user ?? 0) + (sys ?? 0));
      rmSync(out, { recursive: true, force: true });
    }
    const mb = bytes / 1e6;
    const oursS = median(ours);
    const tarS = median(tar);
    console.log(
      `subtree: ${files} files, ${mb.toFixed(1)} MB uncompressed, ${(compressed / 1e6).toFixed(1)} MB gzip in ${layers} layers`,
    );
    console.log(
      `prepare (registry -> workspace): median ${oursS.toFixed(2)} s = ${(mb / oursS).toFixed(1)} MB/s  [runs: ${ours.map((s) => s.toFixed(2)).join(', ')}]`,
    );
    console.log(
      `tar -xzf (local blobs):          median ${tarS.toFixed(2)} s = ${(mb / tarS).toFixed(1)} MB/s  [runs: ${tar.map((s) => s.toFixed(2)).join(', ')}]`,
    );
    console.log(`ratio (prepare throughput / tar throughput), wall time: ${(tarS / oursS).toFixed(2)}`);
    console.log(
      `CPU seconds: prepare ${median(oursCpu).toFixed(2)} (this process; the registry serving blobs not counted), tar+gzip ${median(tarCpu).toFixed(2)}; ratio ${(median(tarCpu) / median(oursCpu)).toFixed(2)}`,
    );
    console.log(
      `load average during the run: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${cpus().length} CPUs`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    await registry.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
