// How `stapel-operator plan` shows a plan: a table for people, JSON for
// tools and snapshots, and the Dockerfile of every stage whose digest is
// known. Pure functions of the plan, so tests compare text.
import type { Need } from '../plan/facts.js';
import type { Plan, PlannedStage } from '../plan/planner.js';
import { readableDockerfile } from '../plan/recipe.js';

function short(digest: string): string {
  return digest.slice(0, 12);
}

export function describeNeed(need: Need): string {
  switch (need.kind) {
    case 'stageImage':
      return `whether stage image ${need.image}/${need.stage} (${short(need.digest)}) is in the registry (the stages built on it read its image)`;
    case 'importChecksum': {
      const source =
        need.source.kind === 'stage' ? `${need.source.image}/${need.source.stage}` : need.source.ref;
      return `import checksum of ${source}:${need.add}`;
    }
    case 'externalImage':
      return `manifest digest of ${need.ref}`;
    case 'gitCommit':
      return `commit of ${need.url === '' ? 'the project repository' : need.url} at ${need.ref}`;
    case 'gitContent':
      return `git content of ${need.url === '' ? 'the project repository' : need.url}:${need.add}${
        need.selectPaths.length > 0 ? ` (${need.selectPaths.join(', ')})` : ''
      }`;
  }
}

/** Digests of stages whose inputs include a placeholder fact (`--assume-facts`), directly or through an earlier stage. */
export function assumedDigests(plan: Plan, isPlaceholder: (value: string) => boolean): Set<string> {
  const tainted = new Set<string>();
  for (const image of plan.images) {
    for (const stage of image.stages) {
      const r = stage.recipe;
      if (!r || !stage.digest) continue;
      if (
        (r.base.kind === 'stage' && tainted.has(r.base.digest)) ||
        r.imports.some(
          (i) => isPlaceholder(i.checksum) || (i.source.kind === 'stage' && tainted.has(i.source.digest)),
        ) ||
        r.git.some((g) => isPlaceholder(g.contentHash) || isPlaceholder(g.commit)) ||
        r.env.some((e) => tainted.has(e.dependency.digest))
      ) {
        tainted.add(stage.digest);
      }
    }
  }
  return tainted;
}

function stageState(stage: PlannedStage, assumed: ReadonlySet<string> = new Set()): string {
  if (stage.status === 'ready') {
    const where = stage.stored ? 'stored' : stage.prepareSpec ? 'buildable' : 'to build';
    const mark = assumed.has(stage.digest!) ? ' (assumed: depends on a placeholder fact)' : '';
    return `${stage.digest}  ${where}${mark}`;
  }
  const reasons = [
    ...stage.blockedBy.map((b) => `after ${b.image}/${b.stage}`),
    ...stage.waitsFor.map((n) => `needs ${describeNeed(n)}`),
  ];
  return `waiting: ${reasons.join('; ')}`;
}

const displayName = (name: string) => (name === '' ? '(nameless)' : name);

export function planTable(plan: Plan, assumed: ReadonlySet<string> = new Set()): string {
  const out: string[] = [];
  out.push(`project ${plan.project}, platform ${plan.platform ?? 'linux/amd64 (default)'}`);
  out.push('');
  out.push('images, in build order:');
  for (const image of plan.images) {
    const role = image.final ? 'final' : 'not final';
    const needs = image.needs.map((n) => `${displayName(n.image)} (${n.kind})`).join(', ') || '-';
    out.push(
      `  ${displayName(image.name)}  [${role}${image.requested ? ', requested' : ''}]  needs: ${needs}`,
    );
  }
  const width = Math.max(0, ...plan.images.flatMap((i) => i.stages.map((s) => s.name.length)));
  for (const image of plan.images) {
    out.push('');
    out.push(`${displayName(image.name)}:`);
    for (const stage of image.stages)
      out.push(`  ${stage.name.padEnd(width)}  ${stageState(stage, assumed)}`);
  }
  if (plan.needs.length > 0) {
    out.push('');
    out.push('facts the plan waits for (a registry or git source provides them when building):');
    for (const need of plan.needs) out.push(`  - ${describeNeed(need)}`);
  }
  return `${out.join('\n')}\n`;
}

export function planDockerfiles(
  plan: Plan,
  repository: string,
  assumed: ReadonlySet<string> = new Set(),
): string {
  const out: string[] = [];
  for (const image of plan.images) {
    for (const stage of image.stages) {
      const mark =
        stage.digest && assumed.has(stage.digest) ? ' (assumed: depends on a placeholder fact)' : '';
      out.push(`# ---- ${displayName(image.name)} / ${stage.name}${mark}`);
      if (stage.recipe) out.push(readableDockerfile(stage.recipe, repository));
      else out.push(`# ${stageState(stage)}\n`);
    }
  }
  return out.join('\n');
}

export function planJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
