import { Reason, TERMINAL_REASONS } from '../api/conditions.js';
import type { ImageStatus, StageStatus } from '../api/imagebuild.js';
import type { Need } from '../plan/facts.js';
import type { Plan, PlannedStage } from '../plan/planner.js';
import type { BuildOutcome } from './conditions.js';
import type { JobOutcome } from './failures.js';

// The decisions of one reconcile pass, as pure functions of what the pass
// observed: which stage Jobs to create and delete, what each stage's status
// is, and what the build as a whole reports.

export interface ObservedJob {
  name: string;
  /** Stage digest from the Job's annotation. */
  digest: string;
  outcome: JobOutcome;
  finished: boolean;
}

export interface StageKey {
  image: string;
  stage: string;
}

export interface PassInput {
  plan: Plan;
  repository: string;
  /** Jobs owned by this ImageBuild. */
  jobs: readonly ObservedJob[];
  /** Name the Job of a buildable stage would have now (stages with a prepareSpec). */
  expectedJobName: (stage: PlannedStage) => string;
  parallelism: number;
  suspend: boolean;
  cancel: boolean;
  /** Stage digests whose pushed digest did not match the registry, with the message. */
  digestProblems: ReadonlyMap<string, string>;
  /** Stages whose Job was not made, by stage digest: the API server refused it (PodRejected), its base image is absent (ImageNotFound). */
  createProblems: ReadonlyMap<string, { reason: string; message: string }>;
  /** Needs the registry answered with a problem, by need key (an import's add path missing from its source). */
  needProblems?: ReadonlyMap<string, { reason: string; message: string }>;
  /** Stages other ImageBuilds' unfinished Jobs are building into the same repository, by digest. */
  elsewhere?: ReadonlyMap<string, { job: string; build: string }>;
  /** Stage statuses of the previous pass (to keep `built`, times and job names). */
  previous: readonly ImageStatus[];
  now: string;
}

export interface PassDecision {
  images: ImageStatus[];
  /** Names of the requested images. */
  requested: string[];
  create: PlannedStage[];
  delete: string[];
  outcome: BuildOutcome;
  imagesReady: string;
  /** Jobs of other builds this one waits for (their stage image will be its own). */
  waitsForJobs: string[];
}

const stageId = (image: string, stage: string) => `${image}/${stage}`;

function waitingMessage(stage: PlannedStage): string {
  if (stage.blockedBy.length > 0) {
    return `waiting for ${stage.blockedBy.map((s) => stageId(s.image, s.stage)).join(', ')}`;
  }
  if (stage.waitsFor.length > 0) return `waiting for ${stage.waitsFor.map(describeNeed).join(', ')}`;
  if (stage.buildWaitsFor.length > 0)
    return `waiting for ${stage.buildWaitsFor.map(describeNeed).join(', ')}`;
  return 'waiting';
}

export function describeNeed(need: Need): string {
  switch (need.kind) {
    case 'stageImage':
      return `stage image ${stageId(need.image, need.stage)}`;
    case 'importChecksum':
      return need.source.kind === 'stage'
        ? `import checksum of ${need.add} from ${stageId(need.source.image, need.source.stage)}`
        : `import checksum of ${need.add} from ${need.source.ref}`;
    case 'externalImage':
      return `manifest digest of ${need.ref}`;
    case 'gitCommit':
      return `git commit of ${need.url || 'the project repository'} ${need.ref}`;
    case 'gitContent':
      return `git content of ${need.url || 'the project repository'} ${need.add}`;
  }
}

/**
 * Stages with equal digests (three images FROM the same base, say) are one
 * build: the first such stage in plan order owns the Job, the others share it.
 */
function canonicalStages(input: PassInput): Map<string, PlannedStage> {
  const first = new Map<string, PlannedStage>();
  for (const image of input.plan.images) {
    for (const stage of image.stages) {
      if (stage.digest && stage.prepareSpec && !first.has(stage.digest)) first.set(stage.digest, stage);
    }
  }
  return first;
}

/** Picks each stage's Job: the one with the expected name, else a succeeded one for its digest. */
function jobForStage(
  input: PassInput,
  stage: PlannedStage,
  canonical: Map<string, PlannedStage>,
): ObservedJob | undefined {
  if (!stage.digest) return undefined;
  const candidates = input.jobs.filter((j) => j.digest === stage.digest);
  const succeeded = candidates.find((j) => j.finished && j.outcome.state === 'succeeded');
  const owner = canonical.get(stage.digest);
  if (owner) {
    // A Job made from other settings (an old builder image, say) no longer
    // counts: running ones are replaced, failed ones retried with the new settings.
    const expected = input.expectedJobName(owner);
    return candidates.find((j) => j.name === expected) ?? succeeded;
  }
  return succeeded ?? candidates[0];
}

/**
 * A finished stage's finish time is written once: the first one known (the
 * build container's, or the pass that saw the image in the registry before
 * its pod reported) stays, so the pod's report and the Job's completion that
 * follow it do not each cost a status write.
 */
function keepFinishTime(
  s: StageStatus,
  prev: StageStatus | undefined,
  job: ObservedJob | undefined,
  now: string,
) {
  if (s.phase !== 'Succeeded' && s.phase !== 'Failed') {
    delete s.finishedAt;
    return;
  }
  if (!job || s.job !== job.name) return;
  if (prev?.job === s.job && prev.phase === s.phase && prev.finishedAt) s.finishedAt = prev.finishedAt;
  else if (!s.finishedAt && s.phase === 'Succeeded' && s.source === 'built') s.finishedAt = now;
}

export function decidePass(input: PassInput): PassDecision {
  const wantedDigests = new Set<string>();
  for (const image of input.plan.images) {
    for (const stage of image.stages) if (stage.digest) wantedDigests.add(stage.digest);
  }
  const canonical = canonicalStages(input);
  const expectedNames = new Set([...canonical.values()].map((s) => input.expectedJobName(s)));
  const previous = new Map<string, StageStatus>();
  for (const img of input.previous)
    for (const s of img.stages) previous.set(`${img.name}/${s.name}/${s.digest}`, s);

  const images: ImageStatus[] = [];
  const buildable: PlannedStage[] = [];
  const waitsForJobs = new Set<string>();
  let failure: { reason: string; message: string } | undefined;
  let total = 0;
  let done = 0;
  let active = input.jobs.filter((j) => !j.finished && wantedDigests.has(j.digest)).length;

  for (const image of input.plan.images) {
    const stages: StageStatus[] = [];
    // A stage's own problem (a missing import) counts once the stages before it are built, as werf
    // meets it: a failing earlier step of the same image is the build's failure, not the import.
    let earlierBuilt = true;
    for (const stage of image.stages) {
      total++;
      const prev = previous.get(`${image.name}/${stage.name}/${stage.digest}`);
      const job = jobForStage(input, stage, canonical);
      const s: StageStatus = { name: stage.name, phase: 'Waiting' };
      if (stage.digest) s.digest = stage.digest;
      if (job) {
        s.job = job.name;
        if (job.outcome.startedAt) s.startedAt = job.outcome.startedAt;
        if ('finishedAt' in job.outcome && job.outcome.finishedAt) s.finishedAt = job.outcome.finishedAt;
      }
      const digestProblem = stage.digest ? input.digestProblems.get(stage.digest) : undefined;
      const problem = digestProblem
        ? { reason: Reason.DigestMismatch, message: digestProblem }
        : stage.digest
          ? input.createProblems.get(stage.digest)
          : undefined;
      if (stage.stored) {
        done++;
        s.phase = 'Succeeded';
        s.imageDigest = stage.stored.manifestDigest;
        s.image = `${input.repository}@${stage.stored.manifestDigest}`;
        // A Job of this build that has not failed made it, even when the registry
        // shows the image before the pod's status does (no `cache` -> `built` flip).
        const builtHere = (job !== undefined && job.outcome.state !== 'failed') || prev?.source === 'built';
        s.source = builtHere ? 'built' : 'cache';
        if (!job && prev?.job && builtHere) {
          s.job = prev.job;
          if (prev.startedAt) s.startedAt = prev.startedAt;
          if (prev.finishedAt) s.finishedAt = prev.finishedAt;
        }
      } else if (problem) {
        s.phase = 'Failed';
        s.reason = problem.reason;
        s.message = problem.message;
      } else if (job) {
        const o = job.outcome;
        if (o.state === 'failed') {
          s.phase = 'Failed';
          s.reason = o.reason;
          s.message = o.message.slice(0, 4096);
        } else if (o.state === 'succeeded') {
          // Finished, but its digest is not verified in the registry yet (or was never written).
          s.phase = o.digest ? 'Running' : 'Failed';
          if (!o.digest) {
            s.reason = Reason.DigestMismatch;
            s.message = 'the build container exited 0 but wrote no image digest';
          }
        } else if (o.state === 'running') {
          s.phase = 'Running';
        } else {
          s.phase = 'Pending';
          if (o.reason) {
            s.reason = o.reason;
            if (o.message) s.message = o.message.slice(0, 4096);
          }
        }
      } else if (stage.prepareSpec && input.elsewhere?.has(stage.digest!)) {
        const other = input.elsewhere.get(stage.digest!)!;
        s.phase = 'Pending';
        s.message = `being built by ImageBuild ${other.build} (Job ${other.job}); its image will serve this build too`;
        waitsForJobs.add(other.job);
      } else if (stage.prepareSpec) {
        s.phase = 'Pending';
        if (canonical.get(stage.digest!) === stage) buildable.push(stage);
        else s.message = `built together with the stage of equal digest`;
      } else {
        const needProblem = stage.waitsFor.map((n) => input.needProblems?.get(n.key)).find(Boolean);
        if (needProblem && earlierBuilt && stage.blockedBy.length === 0) {
          s.phase = 'Failed';
          s.reason = needProblem.reason;
          s.message = needProblem.message;
        } else s.message = waitingMessage(stage);
      }
      keepFinishTime(s, prev, job, input.now);
      earlierBuilt &&= s.phase === 'Succeeded';
      if (s.reason && TERMINAL_REASONS.has(s.reason) && !failure) {
        failure = {
          reason: s.reason,
          message: `${stageId(image.name, stage.name)}: ${s.message ?? s.reason}`,
        };
      }
      stages.push(s);
    }
    const status: ImageStatus = { name: image.name, final: image.final, stages };
    const last = stages[stages.length - 1];
    if (last?.phase === 'Succeeded' && last.imageDigest && stages.every((s) => s.phase === 'Succeeded')) {
      status.ref = `${input.repository}@${last.imageDigest}`;
    }
    images.push(status);
  }

  const requested = input.plan.images.filter((i) => i.requested).map((i) => i.name);
  const readyCount = images.filter((i) => requested.includes(i.name) && i.ref).length;
  const allDone = readyCount === requested.length;

  // Deletion: Jobs of digests the plan no longer has; running Jobs whose
  // expected name changed (builder settings); everything running on cancel.
  const del = input.jobs
    .filter((j) => {
      if (!wantedDigests.has(j.digest)) return true;
      if (input.cancel && !j.finished && !allDone) return true;
      return !j.finished && canonical.has(j.digest) && !expectedNames.has(j.name);
    })
    .map((j) => j.name);
  active -= input.jobs.filter(
    (j) => del.includes(j.name) && !j.finished && wantedDigests.has(j.digest),
  ).length;

  const create: PlannedStage[] = [];
  if (!failure && !input.suspend && !input.cancel) {
    for (const stage of buildable) {
      if (active >= input.parallelism) break;
      create.push(stage);
      active++;
    }
  }
  for (const img of images) {
    for (const s of img.stages) {
      if (s.phase !== 'Pending' || s.job || (s.digest && input.elsewhere?.has(s.digest))) continue;
      const chosen = create.some((c) => c.digest === s.digest);
      if (chosen) continue;
      s.message = input.suspend
        ? 'suspended (spec.suspend)'
        : failure
          ? 'not started: another stage failed'
          : input.cancel
            ? 'canceled'
            : `waiting for a free build slot (parallelism ${input.parallelism})`;
    }
  }

  let outcome: BuildOutcome;
  if (allDone) outcome = { kind: 'ready', message: `${readyCount} of ${requested.length} images built` };
  else if (input.cancel)
    outcome = { kind: 'stalled', reason: Reason.Canceled, message: 'canceled by spec.cancel' };
  else if (failure) outcome = { kind: 'stalled', ...failure };
  else if (input.suspend) outcome = { kind: 'suspended', message: 'no new stage Jobs start (spec.suspend)' };
  else outcome = { kind: 'progressing', reason: Reason.Building, message: `${done} of ${total} stages done` };

  return {
    images,
    requested,
    create,
    delete: del,
    outcome,
    imagesReady: `${readyCount}/${requested.length}`,
    waitsForJobs: [...waitsForJobs],
  };
}
