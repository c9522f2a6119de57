import * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ConditionType, Reason } from '../api/conditions.js';
import {
  API_VERSION,
  GROUP,
  type ImageBuild,
  ImageBuildSchema,
  type ImageBuildStatus,
  KIND,
  PLURAL,
  type SourceStatus,
  VERSION,
} from '../api/imagebuild.js';
import type { CompiledPlan, Plan, PlannedStage } from '../plan/planner.js';
import type { Clock } from '../runtime/clock.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { EventRecorder, EventTarget } from '../runtime/events.js';
import type { Informer } from '../runtime/informer.js';
import {
  describeApiError,
  FIELD_MANAGER,
  isAlreadyExists,
  isApiError,
  isNotFound,
  type KubeObject,
  objectKey,
  toStatus,
} from '../runtime/kube.js';
import { buildLogger } from '../runtime/log.js';
import type { Metrics } from '../runtime/metrics.js';
import { missingBaseImage } from './base-image.js';
import { type BuildOutcome, buildConditions } from './conditions.js';
import { type CompileResult, compileConfig, describeSchemaIssues, summarizeErrors } from './config.js';
import { decidePass, type ObservedJob, type PassDecision } from './decide.js';
import { type FactCache, type NeedProblem, type RegistryFacts, settlePlan } from './facts.js';
import { classifyJob, isJobFinished, type JobEvent } from './failures.js';
import {
  emptyGitFacts,
  GIT_POLL_MS,
  type GitPass,
  type GitPassFailure,
  type GitSourceAccess,
  gitPassFailure,
} from './git-source.js';
import type { HandoffTimer } from './handoff.js';
import { type JobEventObject, warningsOf } from './job-events.js';
import { ANNOTATION_DIGEST } from './labels.js';
import { buildStageJob, type JobSettings } from './resources/job.js';
import { type SharedStageWaits, stagesBuiltElsewhere } from './shared-stages.js';
import { finalImageTags } from './tags.js';

// One reconcile pass of one ImageBuild, as a pipeline of steps (Flux style):
// load config -> render/parse/plan (cached per generation) -> registry facts
// -> read stage Jobs -> decide -> create/delete Jobs -> apply status.
// Every exit path writes a status that says why; decisions are the pure
// functions of decide.ts, failures.ts and conditions.ts.

const REQUEUE_BUILDING_MS = 60_000;
const REQUEUE_MISSING_INPUT_MS = 30_000;
const CREATE_PROBLEM_TTL_MS = 5 * 60_000;
/** How long a created Job counts without the informer showing it (then it was deleted, or the watch is down). */
const EXPECT_JOB_MS = 60_000;

export interface RegistryAccess {
  /** Registry facts for one ImageBuild, with the credentials of its Secret (dockerconfigjson text). */
  forBuild(build: ImageBuild, dockerConfigJson: string | undefined): RegistryFacts;
}

export interface ReconcilerDeps {
  kc: k8s.KubeConfig;
  builds: Informer<KubeObject>;
  jobs: Informer<k8s.V1Job & KubeObject>;
  pods: Informer<k8s.V1Pod & KubeObject>;
  /** FailedCreate Warning events of Jobs (job-events.ts). */
  jobEvents: Informer<JobEventObject>;
  registry: RegistryAccess;
  facts: FactCache;
  /** Git sources (spec.source.git and git mappings); one per process. */
  git: GitSourceAccess;
  events: EventRecorder;
  metrics: Metrics;
  log: Logger;
  settings: JobSettings;
  clock: Clock;
  /** Times the operator's share of stage hand-offs (pod finished -> next Job create sent). */
  handoff?: HandoffTimer;
  /** Which builds wait for other builds' Jobs (the manager reconciles them when those Jobs change). */
  sharedWaits?: SharedStageWaits;
}

/** Failed passes in a row before the status shows the error (Reconciling, with its message). */
const ERRORS_BEFORE_STATUS = 3;

type Failure = { reason: string; message: string; requeueAfterMs?: number; retry?: boolean };

export class ImageBuildReconciler {
  private readonly core: k8s.CoreV1Api;
  private readonly batch: k8s.BatchV1Api;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly compiled = new Map<string, { key: string; result: CompileResult }>();
  private readonly createProblems = new Map<
    string,
    Map<string, { reason: string; message: string; at: number }>
  >();
  /**
   * The status this process last wrote per ImageBuild. The informer cache can
   * lag behind our own write; comparing with it would repeat events and writes.
   */
  private readonly lastWritten = new Map<string, { uid: string; status: ImageBuildStatus }>();
  /** status.source of the pass working on this ImageBuild object. */
  private readonly passSource = new WeakMap<ImageBuild, SourceStatus>();
  /** Jobs created by this process, per ImageBuild, not yet seen in the informer (see observeJobs). */
  private readonly expectedJobs = new Map<string, Map<string, { job: ObservedJob; at: number }>>();
  /** Stage Job names per ImageBuild and stage digest (see jobName). */
  private readonly jobNames = new Map<string, Map<string, { at: string; name: string }>>();
  /** Failed passes in a row per ImageBuild (see ERRORS_BEFORE_STATUS). */
  private readonly passErrors = new Map<string, number>();
  /** Git warnings last reported per ImageBuild (an event only when they change). */
  private readonly gitWarnings = new Map<string, string>();

  constructor(private readonly deps: ReconcilerDeps) {
    this.core = deps.kc.makeApiClient(k8s.CoreV1Api);
    this.batch = deps.kc.makeApiClient(k8s.BatchV1Api);
    this.custom = deps.kc.makeApiClient(k8s.CustomObjectsApi);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace = '', name = ''] = key.split('/');
    const raw = this.deps.builds.get(namespace, name);
    if (!raw) {
      this.forget(key);
      return {};
    }
    if (raw.metadata.deletionTimestamp) return {}; // the garbage collector removes the Jobs
    const log = buildLogger(this.deps.log, namespace, name);
    const parsed = ImageBuildSchema.safeParse(raw);
    if (!parsed.success) {
      const message = describeSchemaIssues(parsed.error.issues);
      await this.writeFailure(raw as unknown as ImageBuild, { reason: Reason.ConfigInvalid, message }, log);
      return {};
    }
    const build = parsed.data;
    try {
      const result = await this.reconcileBuild(build, log);
      this.passErrors.delete(key);
      return result;
    } catch (err) {
      // Retried with backoff by the work queue. A blip (a registry 500 under load) is not worth a
      // status write; from the third failure in a row the status says why, so the loop is not silent.
      // A Ready build keeps its outcome: its images exist whatever this pass met.
      const failures = (this.passErrors.get(key) ?? 0) + 1;
      this.passErrors.set(key, failures);
      if (failures >= ERRORS_BEFORE_STATUS && !readyAtGeneration(build))
        await this.writeFailure(build, retryFailure(err), log).catch(() => {});
      throw err;
    }
  }

  private async reconcileBuild(build: ImageBuild, log: Logger): Promise<ReconcileResult> {
    const { namespace } = build.metadata;
    const key = objectKey(build);
    let git: GitPass;
    let compiled: CompileResult;
    try {
      const opened = await this.deps.git.openPass(build, this.core);
      if (!opened.ok) return this.writeGitFailure(build, opened.failure, log);
      git = opened.pass;
      if (git.status) this.passSource.set(build, git.status);
      const text = await this.configText(build, git);
      if (!text.ok)
        return this.writeFailure(build, text.failure, log, text.failure.reason === Reason.ConfigInvalid);
      compiled = await this.compile(build, text, git);
    } catch (err) {
      const failure = gitPassFailure(err);
      if (failure) return this.writeGitFailure(build, failure, log);
      throw err;
    }
    if (!compiled.ok) {
      const message = summarizeErrors(compiled.errors);
      log.info({ errors: compiled.errors.length }, 'config invalid');
      return this.writeFailure(build, { reason: Reason.ConfigInvalid, message }, log, true);
    }

    const creds = await this.registryCredentials(build);
    if (!creds.ok) return this.writeFailure(build, creds.failure, log);
    const registry = this.deps.registry.forBuild(build, creds.dockerConfigJson);

    let plan: Plan;
    let jobs: ObservedJob[];
    const digestProblems = new Map<string, string>();
    const needProblems = new Map<string, NeedProblem>();
    try {
      ({ plan, jobs } = await this.observe(
        build,
        compiled.compiled,
        registry,
        { digestProblems, needProblems },
        git,
      ));
    } catch (err) {
      const failure = registryFailure(err);
      if (failure) return this.writeFailure(build, failure, log);
      const gitProblem = gitPassFailure(err);
      if (gitProblem) return this.writeGitFailure(build, gitProblem, log);
      throw err;
    }
    this.reportGitWarnings(build, git, log);

    const expectedJobName = (stage: PlannedStage) => this.jobName(build, stage);
    const repository = build.spec.registry.repository;
    // Read when deciding, with no await in between until the claims below are made (shared-stages.ts).
    const elsewhere = () =>
      new Map([
        ...(this.deps.sharedWaits?.claimedByOthers(namespace, repository, key) ?? []),
        ...stagesBuiltElsewhere(
          this.deps.jobs.list((j) => j.metadata.namespace === namespace),
          { namespace, uid: build.metadata.uid, repository },
        ),
      ]);
    const decide = () =>
      decidePass({
        plan,
        repository: build.spec.registry.repository,
        jobs,
        expectedJobName,
        parallelism: build.spec.parallelism,
        suspend: build.spec.suspend,
        cancel: build.spec.cancel,
        digestProblems,
        needProblems,
        createProblems: this.activeCreateProblems(build),
        elsewhere: elsewhere(),
        previous: build.status?.images ?? [],
        now: this.nowIso(),
      });
    let decision = decide();
    // Claimed before the first await, so another build's pass deciding meanwhile waits for these Jobs.
    const toCreate = decision.create.map((stage) => {
      const job = buildStageJob(build, toStageToBuild(stage), this.deps.settings);
      const who = { job: job.metadata!.name!, build: build.metadata.name, buildKey: key };
      this.deps.sharedWaits?.claim({ namespace, repository, digest: stage.digest! }, who);
      return { stage, job };
    });
    const release = (jobName: string) => this.deps.sharedWaits?.release(`${namespace}/${jobName}`);

    try {
      for (const jobName of decision.delete) await this.deleteJob(namespace, jobName, log);
    } catch (err) {
      for (const { job } of toCreate) release(job.metadata!.name!);
      throw err;
    }
    if (decision.delete.length > 0) jobs = jobs.filter((j) => !decision.delete.includes(j.name));
    let created = 0;
    for (const { stage, job } of toCreate) {
      const jobName = job.metadata!.name!;
      const slog = log.child({ image: stage.image, stage: stage.name, digest: stage.digest, job: jobName });
      const baseMissing = await missingBaseImage(stage, registry).catch((err: unknown) => {
        release(jobName);
        throw err;
      });
      if (baseMissing) {
        release(jobName);
        this.rememberCreateProblem(build, stage.digest!, Reason.ImageNotFound, baseMissing);
        slog.warn('base image not found: no Job created');
        continue;
      }
      let startedAt: string | undefined;
      try {
        const handoffMs = this.deps.handoff?.claim(key);
        if (handoffMs !== undefined) this.deps.metrics.stageHandoff.observe(handoffMs / 1000);
        const made = await this.batch.createNamespacedJob({ namespace, body: job });
        startedAt = apiTime(made.metadata?.creationTimestamp);
        // No Event for a start: the stage's status names its Job, and the Job controller's own
        // events tell about the Job; one Event per stage (built or failed) is what kubectl describe needs.
        slog.info(handoffMs === undefined ? {} : { handoffMs }, 'stage job created');
      } catch (err) {
        if (!isAlreadyExists(err)) {
          release(jobName);
          const status = toStatus(err);
          if (status.code >= 500 || status.code === 0 || status.code === 429) throw err;
          // Admission, quota or validation refused the Job: report it, do not loop on it.
          this.rememberCreateProblem(
            build,
            stage.digest!,
            Reason.PodRejected,
            `Job ${jobName} was rejected: ${status.message}`,
          );
          slog.warn({ code: status.code, err: status.message }, 'stage job rejected');
          continue;
        }
      }
      created++;
      const made: ObservedJob = {
        name: jobName,
        digest: stage.digest!,
        outcome: { state: 'pending', ...(startedAt ? { startedAt } : {}) },
        finished: false,
      };
      jobs.push(made);
      this.expectJob(key, made);
    }
    if (created === 0) this.deps.handoff?.drop(key);
    if (created > 0 || decision.create.length > 0) decision = { ...decide(), create: [], delete: [] };
    this.deps.sharedWaits?.set(
      key,
      decision.waitsForJobs.map((job) => `${namespace}/${job}`),
    );

    if (decision.outcome.kind === 'ready' && build.spec.tags?.length) {
      const tagged = await this.tagFinalImages(build, decision, registry);
      if (!tagged.ok) {
        return this.writeFailure(build, { reason: Reason.ConfigInvalid, message: tagged.message }, log, true);
      }
    }
    await this.writeStatus(build, decision, { ok: true }, log);
    // Pods, Jobs and the Jobs' FailedCreate events are watched: this only guards against a missed event.
    if (decision.outcome.kind === 'progressing') return { requeueAfterMs: REQUEUE_BUILDING_MS };
    // A branch or tag may move: look again later (an event, e.g. an annotation, reconciles at once).
    return git.follows ? { requeueAfterMs: GIT_POLL_MS } : {};
  }

  /** Git failures: network trouble is retried with backoff (Reconciling), the rest stall. */
  private async writeGitFailure(
    build: ImageBuild,
    failure: GitPassFailure,
    log: Logger,
  ): Promise<ReconcileResult> {
    const result = await this.writeFailure(build, failure, log, failure.configProblem);
    if (failure.retry) throw new Error(`${failure.reason}: ${failure.message}`);
    return result;
  }

  /** stageDependencies globs that match nothing (werf warns too): one Warning event when they change. */
  private reportGitWarnings(build: ImageBuild, git: GitPass, log: Logger): void {
    const key = objectKey(build);
    const text = [...git.warnings].sort().join('\n');
    if ((this.gitWarnings.get(key) ?? '') === text) return;
    this.gitWarnings.set(key, text);
    if (text === '') return;
    log.warn({ warnings: [...git.warnings] }, 'git warnings');
    this.deps.events.record(eventTarget(build), 'Warning', 'GitWarning', text.slice(0, 1000));
  }

  /** spec.tags: tags each requested final image (ref known) and lists the tags in its status. */
  private async tagFinalImages(
    build: ImageBuild,
    decision: PassDecision,
    registry: RegistryFacts,
  ): Promise<{ ok: true } | { ok: false; message: string }> {
    const finals = decision.images.filter((i) => i.ref && decision.requested.includes(i.name));
    const expanded = finalImageTags(
      build.spec.tags ?? [],
      finals.map((i) => i.name),
    );
    if (!expanded.ok) return expanded;
    for (const image of finals) {
      const tags = expanded.tags.get(image.name) ?? [];
      for (const tag of tags) await registry.tag(image.ref!, `${build.spec.registry.repository}:${tag}`);
      image.tags = tags;
    }
    return { ok: true };
  }

  /**
   * The name of a stage's Job (it hashes the whole Job), remembered per build
   * and stage digest for as long as the build's generation and the stage's
   * prepare spec stay the same: decidePass asks for every stage, twice a pass.
   */
  private jobName(build: ImageBuild, stage: PlannedStage): string {
    const key = objectKey(build);
    const spec = JSON.stringify(stage.prepareSpec);
    const memo = this.jobNames.get(key) ?? new Map<string, { at: string; name: string }>();
    this.jobNames.set(key, memo);
    const at = `${build.metadata.uid}/${build.metadata.generation}/${spec}`;
    const hit = memo.get(stage.digest!);
    if (hit?.at === at) return hit.name;
    const name = buildStageJob(build, toStageToBuild(stage), this.deps.settings).metadata!.name!;
    memo.set(stage.digest!, { at, name });
    return name;
  }

  /** Drops what is remembered about a deleted ImageBuild. */
  forget(key: string): void {
    this.jobNames.delete(key);
    this.expectedJobs.delete(key);
    this.compiled.delete(key);
    this.createProblems.delete(key);
    this.lastWritten.delete(key);
    this.gitWarnings.delete(key);
    this.passErrors.delete(key);
    this.deps.sharedWaits?.set(key, []);
    this.deps.handoff?.drop(key);
  }

  // ------------------------------------------------------------ steps

  private async configText(
    build: ImageBuild,
    git: GitPass,
  ): Promise<ConfigText | { ok: false; failure: Failure }> {
    if (build.spec.config !== undefined) return { ok: true, text: build.spec.config, source: 'inline' };
    const ref = build.spec.configRef;
    if (!ref) {
      if (!git.project) {
        const message = 'set spec.config, spec.configRef or spec.source.git';
        return { ok: false, failure: { reason: Reason.ConfigInvalid, message } };
      }
      const read = await git.readConfig(build.spec.configPath);
      if (read.text === undefined) {
        return {
          ok: false,
          failure: {
            reason: Reason.ConfigNotFound,
            message: `${read.path} not found at commit ${git.project.commit} of ${git.status?.git?.url}`,
            requeueAfterMs: REQUEUE_MISSING_INPUT_MS,
          },
        };
      }
      if (read.encodingError)
        return { ok: false, failure: { reason: Reason.ConfigInvalid, message: read.encodingError } };
      return { ok: true, text: read.text, source: 'git', fileName: read.path };
    }
    try {
      const cm = await this.core.readNamespacedConfigMap({
        name: ref.name,
        namespace: build.metadata.namespace,
      });
      const text = cm.data?.[ref.key];
      if (text === undefined) {
        return {
          ok: false,
          failure: {
            reason: Reason.ConfigNotFound,
            message: `ConfigMap ${ref.name} has no key ${ref.key}`,
            requeueAfterMs: REQUEUE_MISSING_INPUT_MS,
          },
        };
      }
      return { ok: true, text, source: `configmap/${cm.metadata?.resourceVersion}` };
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return {
        ok: false,
        failure: {
          reason: Reason.ConfigNotFound,
          message: `ConfigMap ${ref.name} not found`,
          requeueAfterMs: REQUEUE_MISSING_INPUT_MS,
        },
      };
    }
  }

  /** Render, parse, plan; cached per generation, config source and project commit. */
  private async compile(build: ImageBuild, text: ConfigText, git: GitPass): Promise<CompileResult> {
    const key = objectKey(build);
    const cacheKey = `${build.metadata.uid}/${build.metadata.generation}/${text.source}/${git.cacheKey}`;
    const hit = this.compiled.get(key);
    if (hit?.key === cacheKey) return hit.result;
    const project = git.project;
    const result = compileConfig(text.text, build, {
      ...(text.fileName ? { fileName: text.fileName } : {}),
      ...(project
        ? { git: project, files: await git.files(), filesDir: build.spec.source?.git?.subPath ?? '' }
        : {}),
    });
    this.compiled.set(key, { key: cacheKey, result });
    return result;
  }

  private async registryCredentials(
    build: ImageBuild,
  ): Promise<{ ok: true; dockerConfigJson: string | undefined } | { ok: false; failure: Failure }> {
    const secretName = build.spec.registry.secretRef?.name;
    if (!secretName) return { ok: true, dockerConfigJson: undefined };
    try {
      const secret = await this.core.readNamespacedSecret({
        name: secretName,
        namespace: build.metadata.namespace,
      });
      const data = secret.data?.['.dockerconfigjson'];
      if (!data) {
        return {
          ok: false,
          failure: {
            reason: Reason.SecretNotFound,
            message: `Secret ${secretName} has no .dockerconfigjson key (type kubernetes.io/dockerconfigjson expected)`,
            requeueAfterMs: REQUEUE_MISSING_INPUT_MS,
          },
        };
      }
      return { ok: true, dockerConfigJson: Buffer.from(data, 'base64').toString('utf8') };
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return {
        ok: false,
        failure: {
          reason: Reason.SecretNotFound,
          message: `Secret ${secretName} (spec.registry.secretRef) not found`,
          requeueAfterMs: REQUEUE_MISSING_INPUT_MS,
        },
      };
    }
  }

  /**
   * Plans with everything the registry and the stage Jobs can tell, until a
   * round learns nothing new: a verified build result makes its stage stored,
   * which may give the next stages their digests and build recipes.
   */
  private async observe(
    build: ImageBuild,
    compiled: CompiledPlan,
    registry: RegistryFacts,
    problems: { digestProblems: Map<string, string>; needProblems: Map<string, NeedProblem> },
    git: GitPass,
  ): Promise<{ plan: Plan; jobs: ObservedJob[] }> {
    const repository = build.spec.registry.repository;
    const { facts } = this.deps;
    const { digestProblems, needProblems } = problems;
    const jobs = await this.observeJobs(build);
    // A failed Job's stage is looked up again (another build may have pushed it).
    const jobDigests = new Set(jobs.filter((j) => j.outcome.state !== 'failed').map((j) => j.digest));
    const verifyJobResults = async (absent: Set<string>): Promise<number> => {
      const results = await Promise.all(
        jobs.map(async (job) => {
          const o = job.outcome;
          if (o.state !== 'succeeded' || !o.digest || digestProblems.has(job.digest)) return 0;
          if (facts.stageImage(repository, job.digest)) return 0;
          // Trust only what the registry serves for the tag (Kaniko writes the digest before pushing).
          const tag = `${repository}:${job.digest}`;
          const served = await registry.manifestDigest(tag);
          if (served === o.digest) {
            facts.setStageImage(repository, job.digest, { manifestDigest: served });
            absent.delete(job.digest);
            return 1;
          }
          digestProblems.set(
            job.digest,
            served
              ? `Job ${job.name} reported ${o.digest} but the registry serves ${served} for ${tag}`
              : `Job ${job.name} reported ${o.digest} but the registry has no ${tag}`,
          );
          return 0;
        }),
      );
      return results.filter(Boolean).length;
    };
    // Per pass: branches move. Content hashes are cached across passes inside GitSourceAccess.
    const gitFacts = emptyGitFacts();
    const plan = await settlePlan({
      compiled,
      repository,
      cache: facts,
      registry,
      jobDigests,
      otherFacts: () => gitFacts,
      problems: needProblems,
      learnMore: async (needs, absent) => {
        const [fromGit, fromJobs] = await Promise.all([git.learn(needs, gitFacts), verifyJobResults(absent)]);
        return fromGit + fromJobs;
      },
    });
    git.checkFileTargets(plan);
    return { plan, jobs };
  }

  private async observeJobs(build: ImageBuild): Promise<ObservedJob[]> {
    const { namespace, uid } = build.metadata;
    const owned = this.deps.jobs.list(
      (j) =>
        j.metadata.namespace === namespace && (j.metadata.ownerReferences ?? []).some((r) => r.uid === uid),
    );
    const out: ObservedJob[] = [];
    for (const job of owned) {
      const digest = job.metadata.annotations?.[ANNOTATION_DIGEST];
      if (!digest) continue;
      const pods = this.deps.pods.list(
        (p) =>
          p.metadata.namespace === namespace &&
          p.metadata.labels?.['batch.kubernetes.io/job-name'] === job.metadata.name,
      );
      const finished = isJobFinished(job);
      // A Job without pods: its Warning events say why (quota, admission), from the events informer.
      const events: JobEvent[] =
        !finished && pods.length === 0
          ? warningsOf(this.deps.jobEvents.list(), namespace, job.metadata.name, job.metadata.uid)
          : [];
      const outcome = classifyJob(job, pods, events);
      // A pod that pushed its stage image ends the Job's work, Complete or not yet.
      out.push({
        name: job.metadata.name,
        digest,
        outcome,
        finished: finished || outcome.state === 'succeeded',
      });
    }
    // Jobs this process made that the informer has not shown yet (its watch lags the create,
    // by seconds under load): without them a stage whose pod already pushed would look
    // like a cache hit, then flip to built once the Job shows up.
    const key = objectKey(build);
    const expected = this.expectedJobs.get(key);
    for (const [name, { job, at }] of expected ?? []) {
      if (owned.some((j) => j.metadata.name === name) || this.deps.clock.now() - at > EXPECT_JOB_MS) {
        expected!.delete(name);
      } else out.push(job);
    }
    return out;
  }

  /** Remembers a Job this process created until the informer shows it (controller-runtime's expectations). */
  private expectJob(key: string, job: ObservedJob): void {
    const m = this.expectedJobs.get(key) ?? new Map<string, { job: ObservedJob; at: number }>();
    m.set(job.name, { job, at: this.deps.clock.now() });
    this.expectedJobs.set(key, m);
  }

  private async deleteJob(namespace: string, name: string, log: Logger): Promise<void> {
    try {
      // Background: without a propagation policy the Job's pods would be orphaned.
      for (const m of this.expectedJobs.values()) m.delete(name);
      await this.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
      log.info({ job: name }, 'stage job deleted (no longer wanted)');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private activeCreateProblems(build: ImageBuild): Map<string, { reason: string; message: string }> {
    const key = objectKey(build);
    const out = new Map<string, { reason: string; message: string }>();
    const now = this.deps.clock.now();
    for (const [digest, p] of this.createProblems.get(key) ?? []) {
      if (now - p.at < CREATE_PROBLEM_TTL_MS) out.set(digest, { reason: p.reason, message: p.message });
    }
    return out;
  }

  private rememberCreateProblem(build: ImageBuild, digest: string, reason: string, message: string): void {
    const key = objectKey(build);
    const m = this.createProblems.get(key) ?? new Map();
    m.set(digest, { reason, message, at: this.deps.clock.now() });
    this.createProblems.set(key, m);
  }

  // ------------------------------------------------------------ status

  private async writeFailure(
    build: ImageBuild,
    failure: Failure,
    log: Logger,
    configProblem = false,
  ): Promise<ReconcileResult> {
    const outcome: BuildOutcome = failure.retry
      ? { kind: 'progressing', reason: failure.reason, message: failure.message }
      : { kind: 'stalled', reason: failure.reason, message: failure.message };
    const decision: PassDecision = {
      images: build.status?.images ?? [],
      requested: [],
      create: [],
      delete: [],
      outcome,
      imagesReady: build.status?.imagesReady ?? '0/0',
      waitsForJobs: [],
    };
    const configValid = configProblem
      ? ({ ok: false, reason: failure.reason, message: failure.message } as const)
      : failure.reason === Reason.ConfigNotFound
        ? ({ ok: false, reason: failure.reason, message: failure.message } as const)
        : undefined;
    await this.writeStatus(build, decision, configValid, log);
    return failure.requeueAfterMs ? { requeueAfterMs: failure.requeueAfterMs } : {};
  }

  private async writeStatus(
    build: ImageBuild,
    decision: PassDecision,
    configValid: { ok: true } | { ok: false; reason: string; message: string } | undefined,
    log: Logger,
  ): Promise<void> {
    const previous = build.status ?? {};
    const key = objectKey(build);
    const written = this.lastWritten.get(key);
    const before = written?.uid === build.metadata.uid ? written.status : previous;
    const conditions = buildConditions({
      outcome: decision.outcome,
      configValid,
      generation: build.metadata.generation,
      now: this.nowIso(),
      previous: before.conditions ?? [],
    });
    if (!configValid) {
      // This pass did not get as far as the config (e.g. a missing Secret): keep what is known.
      const prevCv = before.conditions?.find((c) => c.type === ConditionType.ConfigValid);
      if (prevCv) conditions.push(prevCv);
    }
    const source = this.passSource.get(build) ?? before.source;
    const status: ImageBuildStatus = {
      observedGeneration: build.metadata.generation,
      ...(source ? { source } : {}),
      conditions,
      imagesReady: decision.imagesReady,
      images: decision.images,
    };
    this.recordTransitions(build, before, status, log);
    const text = canonical(status);
    if (text === canonical(before) || (before !== previous && text === canonical(previous))) return;
    await this.custom.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace: build.metadata.namespace,
        plural: PLURAL,
        name: build.metadata.name,
        fieldManager: FIELD_MANAGER,
        force: true,
        body: {
          apiVersion: API_VERSION,
          kind: KIND,
          metadata: { name: build.metadata.name, namespace: build.metadata.namespace },
          status,
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
    );
    this.lastWritten.set(key, { uid: build.metadata.uid, status });
  }

  /** Events and metrics for what changed since the last status (so a restart does not repeat them). */
  private recordTransitions(
    build: ImageBuild,
    prev: ImageBuildStatus,
    next: ImageBuildStatus,
    log: Logger,
  ): void {
    const { events, metrics } = this.deps;
    const target = eventTarget(build);
    const before = new Map<string, string>();
    for (const img of prev.images ?? []) {
      for (const s of img.stages) before.set(`${img.name}/${s.name}/${s.digest}`, s.phase);
    }
    for (const img of next.images ?? []) {
      for (const s of img.stages) {
        const was = before.get(`${img.name}/${s.name}/${s.digest}`);
        if (was === s.phase) continue;
        const slog = log.child({ image: img.name, stage: s.name, digest: s.digest });
        if (s.phase === 'Succeeded' && s.source === 'built') {
          metrics.stages.inc({ result: 'built' });
          if (s.startedAt && s.finishedAt) {
            metrics.stageDuration.observe((Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000);
          }
          events.record(
            target,
            'Normal',
            'StageBuilt',
            `${img.name}/${s.name}: Job ${s.job ?? '?'} pushed ${s.image}`,
          );
          slog.info({ imageDigest: s.imageDigest }, 'stage built');
        } else if (s.phase === 'Succeeded' && s.source === 'cache') {
          metrics.stages.inc({ result: 'cache' });
          metrics.cacheHits.inc();
        } else if (s.phase === 'Failed') {
          metrics.stages.inc({ result: s.reason ?? 'Failed' });
          events.record(
            target,
            'Warning',
            'StageFailed',
            `${img.name}/${s.name}: ${s.reason}: ${s.message ?? ''}`,
          );
          slog.warn({ reason: s.reason, message: s.message }, 'stage failed');
        }
      }
    }
    const cond = (st: ImageBuildStatus, type: string) => st.conditions?.find((c) => c.type === type);
    const readyNow = cond(next, ConditionType.Ready);
    const readyBefore = cond(prev, ConditionType.Ready);
    const stalledNow = cond(next, ConditionType.Stalled);
    const stalledBefore = cond(prev, ConditionType.Stalled);
    if (readyNow?.status === 'True' && readyBefore?.status !== 'True') {
      metrics.builds.inc({ result: Reason.Succeeded });
      events.record(target, 'Normal', 'BuildSucceeded', readyNow.message);
      log.info({ images: next.imagesReady }, 'build ready');
    }
    if (
      stalledNow?.status === 'True' &&
      (stalledBefore?.status !== 'True' || stalledBefore.reason !== stalledNow.reason)
    ) {
      metrics.builds.inc({ result: stalledNow.reason });
      events.record(target, 'Warning', stalledNow.reason, stalledNow.message.slice(0, 1000));
      log.warn({ reason: stalledNow.reason, message: stalledNow.message }, 'build stalled');
    }
  }

  private nowIso(): string {
    return new Date(this.deps.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

type ConfigText = { ok: true; text: string; source: string; fileName?: string };

function toStageToBuild(stage: PlannedStage) {
  return { image: stage.image, stage: stage.name, digest: stage.digest!, prepareSpec: stage.prepareSpec! };
}

function eventTarget(build: ImageBuild): EventTarget {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: build.metadata.name,
    namespace: build.metadata.namespace,
    uid: build.metadata.uid,
  };
}

function readyAtGeneration(build: ImageBuild): boolean {
  const ready = build.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && ready.observedGeneration === build.metadata.generation;
}

/** An error the pass could not turn into a build outcome: shown as Reconciling while it is retried. */
function retryFailure(err: unknown): Failure {
  const e = err as { name?: string; message?: string };
  // client-node's own message is the raw HTTP exchange; the Status inside it is what a person needs.
  const text = (isApiError(err) ? describeApiError(err) : (e?.message ?? String(err))).slice(0, 1024);
  if (e?.name === 'RegistryError')
    return { reason: Reason.RegistryUnavailable, message: `${text} (retrying)`, retry: true };
  return { reason: Reason.RetryingAfterError, message: `${text} (retrying)`, retry: true };
}

/** Registry errors that are the user's to fix become status; others are retried. */
function registryFailure(err: unknown): Failure | undefined {
  const e = err as { name?: string; kind?: string; message?: string };
  if (e?.name !== 'RegistryError') return undefined;
  if (e.kind === 'auth')
    return { reason: Reason.RegistryAuth, message: e.message ?? 'registry refused access' };
  return undefined;
}

/** A time from the typed client (a Date) as the API server writes it (RFC 3339, seconds). */
function apiTime(t: Date | string | undefined): string | undefined {
  if (t === undefined) return undefined;
  return t instanceof Date ? t.toISOString().replace(/\.\d{3}Z$/, 'Z') : String(t);
}

/** JSON with sorted keys, so a status equal in content compares equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
