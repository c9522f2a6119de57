import type { ImageBuild } from '../api/imagebuild.js';
import { type CompiledPlan, compilePlan, type PlanProblem, type PlanRequest } from '../plan/planner.js';
import { formatWerfConfigError, formatYamlPath } from '../werf/errors.js';
import { giterminismFromProjectFiles } from '../werf/giterminism-file.js';
import { parseWerfConfig } from '../werf/parse-config.js';
import { RenderError, renderWerfConfig } from '../werf/render/index.js';
import { registryHost } from './resources/job.js';

// Step "render, parse, plan" of a pass: from the werf.yaml text of an
// ImageBuild to a compiled plan, or the list of errors to put in status.
// Pure; the reconciler caches its result per (uid, generation, config source).

export const CONFIG_FILE = 'werf.yaml';
const MAX_ERRORS_SHOWN = 20;

export type CompileResult = { ok: true; compiled: CompiledPlan } | { ok: false; errors: string[] };

/** What the project repository adds to a compile (spec.source.git at the resolved commit). */
export interface CompileSource {
  /** Name in error messages: the config's path in the repository. */
  fileName?: string;
  /** `.Files` and partials; werf-giterminism.yaml among them loosens giterminism. */
  files?: ReadonlyMap<string, string>;
  /** Where `files` lie in the repository (spec.source.git.subPath), for messages. */
  filesDir?: string;
  /** The repository local git mappings read. */
  git?: { url: string; commit: string };
}

export function planRequestOf(build: ImageBuild, git?: { url: string; commit: string }): PlanRequest {
  const { registry, images } = build.spec;
  return {
    ...(images ? { images } : {}),
    ...(git ? { git } : {}),
    repository: registry.repository,
    insecureRegistries: registry.insecure ? [registryHost(registry.repository)] : [],
  };
}

export function formatPlanProblem(fileName: string, p: PlanProblem): string {
  // Problems of the request (spec.images) have no place in the file.
  if (p.line === 0) return `spec.${formatYamlPath(p.path)}: ${p.message}`;
  const image = p.image === undefined ? '' : ` (image "${p.image}")`;
  const doc = p.docIndex < 0 ? '' : ` document ${p.docIndex + 1}${image}: ${formatYamlPath(p.path)}:`;
  return `${fileName}:${p.line}:${p.column}:${doc} ${p.message}`;
}

/**
 * Most stages one ImageBuild may plan. Every stage has an entry in status,
 * and the whole object must fit in one etcd value (1.5 MiB by default): at
 * about 500 bytes per stage entry, 1000 stages leave room for the spec.
 */
export const MAX_STAGES_PER_BUILD = 1000;

/** Why a compiled plan is too big for one ImageBuild, or undefined. */
export function sizeProblem(compiled: CompiledPlan): string | undefined {
  let stages = 0;
  for (const name of compiled.order) stages += compiled.images.get(name)?.stages.length ?? 0;
  if (stages <= MAX_STAGES_PER_BUILD) return undefined;
  return (
    `the build plans ${stages} stages in ${compiled.order.length} images; one ImageBuild holds at most ` +
    `${MAX_STAGES_PER_BUILD} (each has an entry in its status, which must fit in one Kubernetes object): ` +
    'split it into several ImageBuilds, each naming a group of images in spec.images'
  );
}

export function compileConfig(text: string, build: ImageBuild, source: CompileSource = {}): CompileResult {
  const fileName = source.fileName ?? CONFIG_FILE;
  let rendered: string;
  try {
    rendered = renderWerfConfig(text, {
      env: build.spec.env ?? {},
      fileName,
      ...(source.files ? { files: source.files } : {}),
      ...(source.git ? { commit: { hash: source.git.commit } } : {}),
    });
  } catch (err) {
    if (err instanceof RenderError) return { ok: false, errors: [err.message] };
    return { ok: false, errors: [`${fileName}: rendering failed: ${(err as Error).message}`] };
  }
  try {
    const giterminism = giterminismFromProjectFiles(source.files, source.filesDir);
    if (giterminism.errors.length > 0) return { ok: false, errors: giterminism.errors };
    const parsed = parseWerfConfig(rendered, { fileName, giterminism: giterminism.config });
    if (parsed.errors.length > 0) {
      return { ok: false, errors: parsed.errors.map((e) => formatWerfConfigError(fileName, e)) };
    }
    const compiled = compilePlan(parsed.config, planRequestOf(build, source.git));
    if (compiled.errors.length > 0) {
      return { ok: false, errors: compiled.errors.map((p) => formatPlanProblem(fileName, p)) };
    }
    const tooBig = sizeProblem(compiled);
    if (tooBig) return { ok: false, errors: [`${fileName}: ${tooBig}`] };
    return { ok: true, compiled };
  } catch (err) {
    // A defect of ours must still end in a status, not in a reconcile retried forever.
    return {
      ok: false,
      errors: [
        `${fileName}: checking this config failed inside the operator (${(err as Error).message}); this is a stapel-operator bug: report it with the werf.yaml`,
      ],
    };
  }
}

/**
 * Why an ImageBuild does not match its schema, for status: each problem as
 * `spec.images.0: message` (the issue paths already start at the resource's
 * top level), bounded like config errors.
 */
export function describeSchemaIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): string {
  return summarizeErrors(issues.map((i) => `${i.path.map(String).join('.') || '(resource)'}: ${i.message}`));
}

/** One message for status: the first errors, and how many more there are. */
export function summarizeErrors(errors: readonly string[]): string {
  const shown = errors.slice(0, MAX_ERRORS_SHOWN);
  const more = errors.length - shown.length;
  return shown.join('\n') + (more > 0 ? `\n(${more} more)` : '');
}
