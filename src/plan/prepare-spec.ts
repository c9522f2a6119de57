import { z } from 'zod';

// The contract between the planner (which writes it), the `prepare` init
// container (which executes it) and the reconciler (which ships it to the
// build pod). Versioned so an old build pod never misreads a newer spec.
// Owner: the planner. Change it only together with `prepare` and the Job builder.

/** Files taken from a stage image in the registry into the workspace. */
export const PrepareImportSchema = z.strictObject({
  /** Workspace-relative folder of this import, e.g. `imports/0`; prepare creates it. */
  dir: z.string(),
  /**
   * Workspace-relative path inside `dir` where prepare places the entry found
   * at `add` when it is a file or symlink: `<dir>/<basename(add)>`, e.g.
   * `imports/0/tool`; the Dockerfile's COPY line copies it to `to`. A
   * directory `add` with owner or group is placed at `<dir>/<basename(to)>`
   * instead and prepare rewrites that COPY line to copy `<dir>/` into
   * `dirname(to)/`, so `to` itself gets owner, group and mode; not when `to`
   * is a symlink in the base image (src/plan/import-copy.ts).
   */
  path: z.string(),
  /** The source stage image, always addressed by manifest digest: `host/repo@sha256:...`. */
  sourceRef: z.string(),
  /** For messages: which werf image and stage the files come from. */
  sourceImage: z.string(),
  sourceStage: z.string(),
  /** Absolute path inside the source image. */
  add: z.string(),
  /** Absolute destination inside the stage being built (for COPY and for messages). */
  to: z.string(),
  /** The import's owner and group as in its COPY line ('' = unset); prepare needs them to rewrite that line. */
  owner: z.string(),
  group: z.string(),
  includePaths: z.array(z.string()),
  excludePaths: z.array(z.string()),
  /** Import checksum (werf §4.9) the plan was computed with; prepare fails if the source differs. */
  expectedChecksum: z.string().optional(),
});
export type PrepareImport = z.infer<typeof PrepareImportSchema>;

/** Files taken from a git repository at a fixed commit into the workspace. */
export const PrepareGitSchema = z.strictObject({
  /** Workspace folder, e.g. `git/0`, and the path inside it that receives `add` (as for imports). */
  dir: z.string(),
  path: z.string(),
  url: z.string(),
  commit: z.string(),
  add: z.string(),
  to: z.string(),
  includePaths: z.array(z.string()),
  excludePaths: z.array(z.string()),
  /**
   * The stage's share of the mapping (src/plan/README.md, "Git content"):
   * after include/exclude, keep only paths matching one of `selectPaths`
   * (when non-empty) and drop paths matching any of `skipPaths`. Globs are
   * relative to `add` with werf's matcher rules (§5.2).
   */
  selectPaths: z.array(z.string()),
  skipPaths: z.array(z.string()),
  /** Content hash (the `gitContent` fact) the plan was computed with; prepare fails if the content differs. */
  expectedContentHash: z.string().optional(),
  /**
   * Where the Job mounts the Secret with this remote's credentials (one file
   * per key, see src/git/credentials.ts); set by the Job builder, absent for
   * public repositories.
   */
  credentialsDir: z.string().optional(),
});
export type PrepareGit = z.infer<typeof PrepareGitSchema>;

export const PrepareSpecSchema = z.strictObject({
  apiVersion: z.literal('stapel.dev/prepare/v1'),
  image: z.string(),
  stage: z.string(),
  digest: z.string(),
  /** Full Dockerfile text, written to `<workspace>/Dockerfile`. */
  dockerfile: z.string(),
  imports: z.array(PrepareImportSchema),
  git: z.array(PrepareGitSchema),
  /** Registries reached over plain HTTP or without TLS verification (hosts). */
  insecureRegistries: z.array(z.string()),
});
export type PrepareSpec = z.infer<typeof PrepareSpecSchema>;
