import type { ImageBuild } from '../api/imagebuild.js';
import { type CompiledPlan, compilePlan, type PlanProblem, type PlanRequest } from '../plan/planner.js';
import { formatWerfConfigError, formatYamlPath } from '../werf/errors.js';
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
  /** `.Files` and partials. */
  files?: ReadonlyMap<string, string>;
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
  const image = p.image === undefined ? '' : ` (image "${p.image}")`;
  const doc = p.docIndex < 0 ? '' : ` document ${p.docIndex + 1}${image}: ${formatYamlPath(p.path)}:`;
  return `${fileName}:${p.line}:${p.column}:${doc} ${p.message}`;
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
  const parsed = parseWerfConfig(rendered, { fileName });
  if (parsed.errors.length > 0) {
    return { ok: false, errors: parsed.errors.map((e) => formatWerfConfigError(fileName, e)) };
  }
  const compiled = compilePlan(parsed.config, planRequestOf(build, source.git));
  if (compiled.errors.length > 0) {
    return { ok: false, errors: compiled.errors.map((p) => formatPlanProblem(fileName, p)) };
  }
  return { ok: true, compiled };
}

/** One message for status: the first errors, and how many more there are. */
export function summarizeErrors(errors: readonly string[]): string {
  const shown = errors.slice(0, MAX_ERRORS_SHOWN);
  const more = errors.length - shown.length;
  return shown.join('\n') + (more > 0 ? `\n(${more} more)` : '');
}
