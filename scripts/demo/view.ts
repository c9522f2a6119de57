import type { Condition, ImageBuildStatus, StageStatus } from '../../src/api/imagebuild.js';

// What the demo shows about ImageBuilds, as pure functions of their objects:
// one progress line per stage whose state changed, whether each build is
// finished, and the final table. Kept free of I/O so it is unit-tested.

export interface BuildObject {
  metadata: { name: string; namespace?: string; generation?: number };
  status?: ImageBuildStatus;
}

export type Outcome =
  | { state: 'running' }
  | { state: 'ready' }
  | { state: 'failed'; reason: string; message: string };

function condition(build: BuildObject, type: string): Condition | undefined {
  return build.status?.conditions?.find((c) => c.type === type);
}

/**
 * kstatus' reading of a build: Ready=True for the current generation is done;
 * Stalled=True is a failure that needs the user; anything else is in progress.
 */
export function outcomeOf(build: BuildObject): Outcome {
  const generation = build.metadata.generation;
  const current = (c: Condition | undefined) =>
    c !== undefined && (generation === undefined || c.observedGeneration === generation);
  const ready = condition(build, 'Ready');
  if (current(ready) && ready?.status === 'True' && build.status?.observedGeneration === generation) {
    return { state: 'ready' };
  }
  const stalled = condition(build, 'Stalled');
  if (current(stalled) && stalled?.status === 'True') {
    return { state: 'failed', reason: stalled.reason, message: stalled.message };
  }
  return { state: 'running' };
}

/** A stage's state as one comparable string: phase, and what explains it. */
function stageState(stage: StageStatus): string {
  const detail = stage.phase === 'Succeeded' ? stage.source : (stage.reason ?? stage.job);
  return detail ? `${stage.phase} (${detail})` : stage.phase;
}

/**
 * The progress lines since the last call: one per stage whose state changed,
 * and one per build whose Ready condition changed. `seen` is updated in place.
 */
export function progressLines(builds: BuildObject[], seen: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const build of builds) {
    const name = build.metadata.name;
    for (const image of build.status?.images ?? []) {
      for (const stage of image.stages) {
        const key = `${name}/${image.name}/${stage.name}`;
        const state = stageState(stage);
        if (seen.get(key) === state) continue;
        seen.set(key, state);
        const failure = stage.phase === 'Failed' && stage.message ? `: ${firstLine(stage.message)}` : '';
        lines.push(`${name} ${image.name}/${stage.name}: ${state}${failure}`);
      }
    }
    const ready = condition(build, 'Ready');
    if (ready) {
      const state = `Ready=${ready.status} ${ready.reason}`;
      const key = `${name}#ready`;
      if (seen.get(key) !== state) {
        seen.set(key, state);
        lines.push(`${name}: ${state}${ready.message ? ` - ${firstLine(ready.message)}` : ''}`);
      }
    }
  }
  return lines;
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/**
 * `finishedAt - startedAt` in whole seconds (`12s`), or `-` when the stage did
 * not run here. startedAt is the Job's creationTimestamp, which Kubernetes
 * keeps to the second, so tenths would be noise.
 */
export function stageDuration(stage: StageStatus): string {
  if (!stage.startedAt || !stage.finishedAt) return '-';
  const ms = Date.parse(stage.finishedAt) - Date.parse(stage.startedAt);
  if (!Number.isFinite(ms) || ms < 0) return '-';
  return ms < 1000 ? '<1s' : `${Math.round(ms / 1000)}s`;
}

/** The final table: one row per stage of every image of every build, columns aligned. */
export function finalTable(builds: BuildObject[]): string {
  const header = ['BUILD', 'IMAGE', 'STAGE', 'DIGEST', 'SOURCE', 'IMAGE DIGEST', 'DURATION'];
  const rows: string[][] = [];
  for (const build of builds) {
    for (const image of build.status?.images ?? []) {
      for (const stage of image.stages) {
        rows.push([
          build.metadata.name,
          image.name,
          stage.name,
          stage.digest ?? '-',
          stage.phase === 'Succeeded' ? (stage.source ?? '-') : stage.phase.toLowerCase(),
          stage.imageDigest ?? '-',
          stageDuration(stage),
        ]);
      }
    }
  }
  return alignColumns([header, ...rows]);
}

/**
 * The final image references, one line per image: `build/image  repository@sha256:...`.
 * Artifacts (status `final: false`) are left out: they are only imported.
 */
export function finalImages(builds: BuildObject[]): string {
  const rows = builds.flatMap((b) =>
    (b.status?.images ?? [])
      .filter((i) => i.final !== false)
      .map((i) => [`${b.metadata.name}/${i.name}`, i.ref ?? '(not built)']),
  );
  return alignColumns(rows);
}

/**
 * Counts of built and cached stages over all builds. A stage that several
 * images of one build share (equal digest, one Job) counts once.
 */
export function stageCounts(builds: BuildObject[]): { built: number; cache: number; other: number } {
  const counts = { built: 0, cache: 0, other: 0 };
  const seen = new Set<string>();
  for (const build of builds) {
    for (const stage of (build.status?.images ?? []).flatMap((i) => i.stages)) {
      if (stage.digest) {
        const key = `${build.metadata.name}/${stage.digest}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      if (stage.phase === 'Succeeded' && stage.source === 'built') counts.built++;
      else if (stage.phase === 'Succeeded' && stage.source === 'cache') counts.cache++;
      else counts.other++;
    }
  }
  return counts;
}

export function alignColumns(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
