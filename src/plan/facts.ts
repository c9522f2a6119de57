import { h256 } from './hash.js';
import type { StageName } from './stage-names.js';

// What the caller has learned about the world, and what the planner asks it
// to learn next. The planner never reads a registry or a repository; it
// looks facts up under the keys below and, when one is missing, names it in
// a Need carrying the same key. The reconciler stores each answer under
// `need.key` (or computes the key with the exported functions) and plans
// again.

/** A stage image that exists in the registry at `<repository>:<stage digest>`. */
export interface StageImageFact {
  /** Manifest digest (`sha256:...`), verified against the registry. */
  manifestDigest: string;
  /** Image config digest (`sha256:...`), the "image ID"; only dependency imports of type ImageID need it. */
  configDigest?: string;
}

export interface PlanFacts {
  /** Keyed by stage digest (`stageImageKey`). */
  stageImages?: ReadonlyMap<string, StageImageFact>;
  /** Import checksum (werf §4.9, hex MD5 of the file list) keyed by `importChecksumKey`. */
  importChecksums?: ReadonlyMap<string, string>;
  /** Resolved commit keyed by `gitCommitKey`. */
  gitCommits?: ReadonlyMap<string, string>;
  /** Content hash of a git selection keyed by `gitContentKey`. */
  gitContent?: ReadonlyMap<string, string>;
  /**
   * An external import source pinned for this pass: `host/repository@sha256:...`
   * keyed by `externalImageKey` of the reference as written (a tag may move).
   */
  externalImages?: ReadonlyMap<string, string>;
}

/** Where an import's files come from. */
export type ImportSourceRef =
  | { kind: 'stage'; image: string; stage: StageName; digest: string; contentDigest: string }
  | { kind: 'external'; ref: string };

/**
 * A git ref to resolve to a commit: `HEAD`, `refs/heads/<branch>`,
 * `refs/tags/<tag>`, or the revision a request names as given. `url` is ''
 * for the project repository when the request names none.
 */
export interface GitRefSpec {
  url: string;
  ref: string;
}

/**
 * The files one stage takes from one git mapping: the mapping's own
 * include/exclude filter, then (all globs relative to `add`, werf §5.2 rules)
 * only paths matching one of `selectPaths` when it is non-empty, and never a
 * path matching one of `skipPaths`.
 */
export interface GitSelection {
  url: string;
  commit: string;
  add: string;
  includePaths: readonly string[];
  excludePaths: readonly string[];
  selectPaths: readonly string[];
  skipPaths: readonly string[];
}

export type Need =
  /**
   * The stage image must exist. `withConfig`: its image config digest is wanted
   * too (`StageImageFact.configDigest`: a dependency injects its ImageID), so a
   * fact known without one is not an answer yet.
   */
  | { kind: 'stageImage'; key: string; image: string; stage: StageName; digest: string; withConfig?: true }
  | {
      kind: 'importChecksum';
      key: string;
      source: ImportSourceRef;
      add: string;
      includePaths: readonly string[];
      excludePaths: readonly string[];
    }
  /** An external image (by tag or digest) to resolve to its manifest digest, once per pass. */
  | { kind: 'externalImage'; key: string; ref: string }
  | ({ kind: 'gitCommit'; key: string } & GitRefSpec)
  | ({ kind: 'gitContent'; key: string } & GitSelection);

export function stageImageKey(stageDigest: string): string {
  return stageDigest;
}

export function externalImageKey(ref: string): string {
  return ref;
}

/**
 * werf's importSourceID (§4.9 step 2): a checksum depends only on the source
 * stage's content and the selection, so every importer of the same files
 * shares it. External sources are keyed by their reference, as in werf.
 */
export function importChecksumKey(args: {
  source: ImportSourceRef;
  add: string;
  includePaths: readonly string[];
  excludePaths: readonly string[];
}): string {
  const sourceContent =
    args.source.kind === 'stage' ? args.source.contentDigest : `external-image:${args.source.ref}`;
  return h256(
    'SourceImageContentDigest',
    sourceContent,
    'Add',
    args.add,
    'IncludePaths',
    args.includePaths.join('///'),
    'ExcludePaths',
    args.excludePaths.join('///'),
  );
}

export function gitCommitKey(spec: GitRefSpec): string {
  return `${spec.url}#${spec.ref}`;
}

export function gitContentKey(sel: GitSelection): string {
  return h256(
    'GitContent',
    sel.url,
    sel.commit,
    sel.add,
    sel.includePaths.join('///'),
    sel.excludePaths.join('///'),
    sel.selectPaths.join('///'),
    sel.skipPaths.join('///'),
  );
}
