import { posix } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { Reason } from '../api/conditions.js';
import type { ImageBuild, SourceStatus } from '../api/imagebuild.js';
import {
  credentialsFromSecretData,
  fileAddKey,
  type GitCredentials,
  GitError,
  GitFactsResolver,
  GitRepositoryCache,
  type GitSecretRule,
  type GitSelectionHash,
  type GitSnapshot,
  gitFailure,
  gitSecretRuleFor,
  gitSecretRules,
  learnGitFacts,
  redactUrl,
} from '../git/index.js';
import { splitUrlUserinfo } from '../git/redact.js';
import type { Need } from '../plan/facts.js';
import type { Plan } from '../plan/planner.js';
import { isNotFound } from '../runtime/kube.js';
import { decodeUtf8, encodingMessage } from '../werf/encoding.js';

// The git side of a reconcile pass (issue 8). Once per process: a cache of
// shallow, per-commit bare repositories and of content hashes (both content
// addressed by URL + commit). Once per pass: the Secret of
// spec.gitCredentials and spec.source.git.secretRef, one `ls-remote` per remote (the access check,
// even when the content is cached), the resolved project commit, and from
// it werf.yaml (without config/configRef) and `.Files`.

/** How often a build whose sources follow a branch or tag looks for new commits. */
export const GIT_POLL_MS = 60_000;
const REQUEUE_MISSING_SECRET_MS = 30_000;

export type GitPassFailure = {
  reason: string;
  message: string;
  /** Network trouble: report Reconciling and retry with backoff instead of stalling. */
  retry?: boolean;
  /** The config is at fault (ConfigValid=False). */
  configProblem?: boolean;
  requeueAfterMs?: number;
};

export interface GitSourceOptions {
  /** Folder for fetched repositories (created when missing). */
  cacheDir: string;
  /** file:// remotes: tests and local runs only. */
  allowFileUrls?: boolean;
}

/** Process-wide git state, shared by every ImageBuild. */
export class GitSourceAccess {
  readonly cache: GitRepositoryCache;
  private readonly contentCache = new Map<string, GitSelectionHash>();

  constructor(options: GitSourceOptions) {
    this.cache = new GitRepositoryCache({ dir: options.cacheDir, allowFileUrls: options.allowFileUrls });
  }

  /**
   * Starts a pass: reads the Secret and resolves spec.source.git's revision.
   * Git errors are thrown (see gitPassFailure); a missing Secret is returned.
   */
  async openPass(
    build: ImageBuild,
    core: k8s.CoreV1Api,
  ): Promise<{ ok: true; pass: GitPass } | { ok: false; failure: GitPassFailure }> {
    const source = build.spec.source?.git;
    const misplaced = [
      ...(source ? [{ url: source.url, field: 'spec.source.git.url' }] : []),
      ...(build.spec.gitCredentials ?? []).map((c, i) => ({
        url: c.url,
        field: `spec.gitCredentials[${i}].url`,
      })),
    ].find((u) => hasPassword(u.url));
    if (misplaced) {
      return {
        ok: false,
        failure: {
          reason: Reason.ConfigInvalid,
          message: `${misplaced.field} ${redactUrl(misplaced.url)}: put credentials in the Secret named by secretRef, not in the URL`,
          configProblem: true,
        },
      };
    }
    const rules = gitSecretRules(build.spec);
    const secrets = await readGitSecrets(core, build, rules);
    if (!secrets.ok) return secrets;
    const credentialsFor = (url: string) => {
      const rule = gitSecretRuleFor(rules, url);
      return rule ? secrets.credentials.get(rule) : undefined;
    };
    const resolver = new GitFactsResolver({
      cache: this.cache,
      credentialsFor,
      contentCache: this.contentCache,
    });
    const pass = new GitPass(this.cache, resolver, source, source ? credentialsFor(source.url) : undefined);
    await pass.resolveSource();
    return { ok: true, pass };
  }
}

/** Reads the Secret of every git Secret rule (spec.gitCredentials, spec.source.git.secretRef) into credentials. */
async function readGitSecrets(
  core: k8s.CoreV1Api,
  build: ImageBuild,
  rules: readonly GitSecretRule[],
): Promise<
  { ok: true; credentials: Map<GitSecretRule, GitCredentials> } | { ok: false; failure: GitPassFailure }
> {
  const credentials = new Map<GitSecretRule, GitCredentials>();
  for (const rule of rules) {
    const name = rule.secretName;
    try {
      const secret = await core.readNamespacedSecret({ name, namespace: build.metadata.namespace });
      credentials.set(rule, credentialsFromSecretData(secret.data ?? {}, rule.url));
    } catch (err) {
      if (err instanceof GitError) {
        return {
          ok: false,
          failure: { reason: err.reason, message: `Secret ${name} (${rule.field}): ${err.message}` },
        };
      }
      if (!isNotFound(err)) throw err;
      return {
        ok: false,
        failure: {
          reason: Reason.SecretNotFound,
          message: `Secret ${name} (${rule.field}) not found`,
          requeueAfterMs: REQUEUE_MISSING_SECRET_MS,
        },
      };
    }
  }
  return { ok: true, credentials };
}

/** One reconcile pass's view of the git sources of one ImageBuild. */
export class GitPass {
  /** status.source, once the project revision is resolved. */
  status: SourceStatus | undefined;
  private commit: string | undefined;
  private snapshot: Promise<GitSnapshot> | undefined;
  /** Whether anything followed a moving ref (branch, tag, HEAD) this pass: then poll for new commits. */
  follows = false;
  readonly warnings = new Set<string>();
  private readonly fileAdds = new Set<string>();

  constructor(
    private readonly cache: GitRepositoryCache,
    private readonly resolver: GitFactsResolver,
    readonly source: { url: string; revision: string; subPath?: string } | undefined,
    private readonly credentials: GitCredentials | undefined,
  ) {}

  async resolveSource(): Promise<void> {
    if (!this.source) return;
    const { url, revision } = this.source;
    this.commit = (await this.resolver.resolveCommit({ url, ref: revision })).commit;
    if (this.commit !== revision.toLowerCase()) this.follows = true;
    this.status = { git: { url: redactUrl(url), revision, commit: this.commit } };
  }

  /** The project repository at the resolved commit, for the planner's local git mappings. */
  get project(): { url: string; commit: string } | undefined {
    return this.source && this.commit ? { url: this.source.url, commit: this.commit } : undefined;
  }

  /** Cache key part: the config and `.Files` change only with the commit. */
  get cacheKey(): string {
    return this.commit ? `git/${this.commit}` : '';
  }

  private fetch(): Promise<GitSnapshot> {
    const project = this.project;
    if (!project) throw new Error('no spec.source.git');
    this.snapshot ??= this.cache.fetch({ url: project.url, credentials: this.credentials }, project.commit);
    return this.snapshot;
  }

  private subPath(): string {
    return posix.normalize(`/${this.source?.subPath ?? ''}`).replace(/^\/+/, '');
  }

  /** werf.yaml from the repository: `<subPath>/<configPath>` at the commit, or undefined when absent. */
  async readConfig(
    configPath: string,
  ): Promise<{ path: string; text: string | undefined; encodingError?: string }> {
    const path = posix.join(this.subPath(), configPath).replace(/^\/+/, '');
    const bytes = await (await this.fetch()).readFile(path);
    if (!bytes) return { path, text: undefined };
    const decoded = decodeUtf8(bytes);
    if (!decoded.ok) return { path, text: '', encodingError: encodingMessage(path, decoded.problem) };
    return { path, text: decoded.text };
  }

  /** `.Files` and partials: the files under subPath at the commit (none without spec.source.git). */
  async files(): Promise<Map<string, string> | undefined> {
    if (!this.project) return undefined;
    return (await this.fetch()).readFiles(this.subPath());
  }

  /** Answers the plan's git needs into `facts` (per pass); returns how many were learned. */
  async learn(needs: readonly Need[], facts: GitFacts): Promise<number> {
    for (const need of needs) {
      if ((need.kind === 'gitCommit' || need.kind === 'gitContent') && hasPassword(need.url)) {
        throw new GitError(
          'GitCredentialsInvalid',
          `git mapping url ${redactUrl(need.url)} carries a password: put credentials in a Secret named by spec.gitCredentials`,
        );
      }
      if (need.kind === 'gitCommit') this.follows = true;
    }
    const result = await learnGitFacts(needs, this.resolver, facts);
    for (const w of result.warnings) this.warnings.add(w);
    for (const k of result.fileAdds) this.fileAdds.add(k);
    return result.learned;
  }

  /**
   * werf pitfall 7: a file `add` is renamed to `to`, so `to: /` cannot hold
   * it. Known only once the commit's tree is listed; caught here rather
   * than by a failing build pod. Call with the settled plan.
   */
  checkFileTargets(plan: Plan): void {
    for (const image of plan.images) {
      for (const stage of image.stages) {
        for (const g of stage.recipe?.git ?? []) {
          if (g.to.replace(/\/+$/, '') !== '' || !this.fileAdds.has(fileAddKey(g.url, g.commit, g.add)))
            continue;
          throw new GitError(
            'GitMappingInvalid',
            `image ${image.name}: git mapping add ${g.add} is a file, so to "/" cannot hold it: name the file, e.g. to: /${posix.basename(g.add)}`,
          );
        }
      }
    }
  }
}

export interface GitFacts {
  gitCommits: Map<string, string>;
  gitContent: Map<string, string>;
}

export function emptyGitFacts(): GitFacts {
  return { gitCommits: new Map(), gitContent: new Map() };
}

function hasPassword(url: string): boolean {
  return splitUrlUserinfo(url.trim()).password !== undefined;
}

/** How a pass reports an error from git; undefined when the error is not from git. */
export function gitPassFailure(err: unknown): GitPassFailure | undefined {
  const f = gitFailure(err);
  if (!f) return undefined;
  return { ...f, configProblem: f.reason === 'GitMappingInvalid' };
}
