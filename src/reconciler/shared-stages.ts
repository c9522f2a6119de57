import type * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../runtime/kube.js';
import { isJobFinished } from './failures.js';
import { ANNOTATION_DIGEST, ANNOTATION_REPOSITORY } from './labels.js';

// Two ImageBuilds in one namespace that push to the same repository often
// share stages (the same base, the same tools image). When one of them is
// already building a stage, the other waits for that Job's image instead of
// building the same stage again (werf takes a lock in the stages storage for
// the same reason). Only unfinished Jobs count: should the other build's Job
// fail, the waiting build builds the stage itself.

type Job = k8s.V1Job & KubeObject;

/** Who is building a stage for another ImageBuild: its Job and that build's name. */
export interface BuiltElsewhere {
  job: string;
  build: string;
}

/**
 * Stage digests that unfinished Jobs of other ImageBuilds in `namespace`
 * are building into `repository`, by digest (the oldest Job for a digest).
 */
export function stagesBuiltElsewhere(
  jobs: readonly Job[],
  build: { namespace: string; uid: string; repository: string },
): Map<string, BuiltElsewhere> {
  const out = new Map<string, BuiltElsewhere>();
  const sorted = [...jobs].sort((a, b) =>
    String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')),
  );
  for (const job of sorted) {
    const { namespace, annotations, ownerReferences, deletionTimestamp } = job.metadata as Job['metadata'] & {
      annotations?: Record<string, string>;
    };
    if (namespace !== build.namespace || deletionTimestamp || isJobFinished(job)) continue;
    const owner = ownerReferences?.find((r) => r.kind === 'ImageBuild' && r.controller);
    if (!owner || owner.uid === build.uid) continue;
    const digest = annotations?.[ANNOTATION_DIGEST];
    if (!digest || annotations?.[ANNOTATION_REPOSITORY] !== build.repository || out.has(digest)) continue;
    out.set(digest, { job: job.metadata.name, build: owner.name });
  }
  return out;
}

/** How long a claim stands without the Job cache showing its Job (then its create failed unseen, or the watch is down). */
const CLAIM_TTL_MS = 60_000;

interface Claim extends BuiltElsewhere {
  buildKey: string;
  at: number;
}

/**
 * The process-wide side of sharing: which builds wait for which other
 * builds' Jobs, so a change of such a Job or its pod reconciles the waiting
 * builds too (their own Jobs' events would not); and claims, the Jobs a pass
 * is about to create, so that a pass of another build running at the same
 * moment waits for them instead of making its own (the Job cache shows a new
 * Job only after its watch event). Keys are `namespace/name`.
 */
export class SharedStageWaits {
  private readonly byBuild = new Map<string, Set<string>>();
  private readonly claims = new Map<string, Claim>();

  constructor(private readonly now: () => number = Date.now) {}

  private static claimKey(namespace: string, repository: string, digest: string): string {
    return `${namespace}\n${repository}\n${digest}`;
  }

  /** A pass of `buildKey` is about to create `job` for this stage. */
  claim(
    stage: { namespace: string; repository: string; digest: string },
    who: { job: string; build: string; buildKey: string },
  ): void {
    const key = SharedStageWaits.claimKey(stage.namespace, stage.repository, stage.digest);
    this.claims.set(key, { ...who, at: this.now() });
  }

  /** The Job `namespace/job` is in the Job cache now (or will never be): its claim ends. */
  release(jobKey: string): void {
    for (const [key, claim] of this.claims) {
      if (`${key.split('\n')[0]}/${claim.job}` === jobKey) this.claims.delete(key);
    }
  }

  /** Stages other builds have claimed in this namespace and repository, by digest. */
  claimedByOthers(namespace: string, repository: string, buildKey: string): Map<string, BuiltElsewhere> {
    const out = new Map<string, BuiltElsewhere>();
    const prefix = SharedStageWaits.claimKey(namespace, repository, '');
    for (const [key, claim] of this.claims) {
      if (this.now() - claim.at > CLAIM_TTL_MS) {
        this.claims.delete(key);
        continue;
      }
      if (key.startsWith(prefix) && claim.buildKey !== buildKey) {
        out.set(key.slice(prefix.length), { job: claim.job, build: claim.build });
      }
    }
    return out;
  }

  /** Records that `buildKey` now waits for these Jobs (replacing what it waited for before). */
  set(buildKey: string, jobKeys: Iterable<string>): void {
    const next = new Set(jobKeys);
    if (next.size === 0) this.byBuild.delete(buildKey);
    else this.byBuild.set(buildKey, next);
  }

  /** The builds waiting for the Job `jobKey`. */
  waitersOf(jobKey: string): string[] {
    const out: string[] = [];
    for (const [build, jobs] of this.byBuild) if (jobs.has(jobKey)) out.push(build);
    return out;
  }
}
