import { isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import type { GiterminismConfig } from './giterminism.js';

// werf-giterminism.yaml, read from the project folder beside werf.yaml (the
// repository at the build's commit, or --dir for the CLI). Only its `config`
// section concerns a build; of that, the stapel and secrets rules are what
// the parser checks. Sections this builder has no use for (cli, helm,
// includes, Dockerfile and template rules) are accepted as they are. Within
// the rules it applies, an unknown key is an error: a misspelt allowBranch
// must not silently leave a build refused.

export const GITERMINISM_FILE = 'werf-giterminism.yaml';
/** werf-giterminism.yaml is a handful of rules; a bigger file is a mistake (or an attack on the operator's memory). */
export const MAX_GITERMINISM_BYTES = 256 * 1024;
/** Aliases the file may expand (the yaml library's default allows far more than a rules file needs). */
const MAX_ALIASES = 100;

const strings = z.array(z.string());
const StapelRules = z.strictObject({
  allowFromLatest: z.boolean().optional(),
  git: z.strictObject({ allowBranch: z.boolean().optional() }).optional(),
  mount: z
    .strictObject({ allowBuildDir: z.boolean().optional(), allowFromPaths: strings.optional() })
    .optional(),
});
const SecretRules = z.strictObject({
  allowEnvVariables: strings.optional(),
  allowFiles: strings.optional(),
  allowValueIds: strings.optional(),
});
const ConfigRules = z.strictObject({
  allowUncommitted: z.unknown().optional(),
  allowUncommittedTemplates: z.unknown().optional(),
  goTemplateRendering: z.unknown().optional(),
  dockerfile: z.unknown().optional(),
  stapel: StapelRules.optional(),
  secrets: SecretRules.optional(),
});
const GiterminismFile = z.strictObject({
  giterminismConfigVersion: z.union([z.literal(1), z.literal('1')], {
    error: 'must be 1 (the only version werf knows)',
  }),
  cli: z.unknown().optional(),
  config: ConfigRules.optional(),
  helm: z.unknown().optional(),
  includes: z.unknown().optional(),
});

export interface GiterminismFileResult {
  config: GiterminismConfig;
  /** `FILE:LINE:COL: PATH: message`, one per problem; empty when the file is usable. */
  errors: string[];
}

/** Parses the text of werf-giterminism.yaml; `fileName` names it in errors. */
export function parseGiterminismFile(text: string, fileName = GITERMINISM_FILE): GiterminismFileResult {
  if (Buffer.byteLength(text) > MAX_GITERMINISM_BYTES) {
    return {
      config: {},
      errors: [
        `${fileName}:1:1: the file is larger than ${MAX_GITERMINISM_BYTES / 1024} KiB; it holds a few rules`,
      ],
    };
  }
  const lines = new LineCounter();
  // merge: werf's Go YAML accepts `<<: *anchor` merge keys.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    const { line, col } = lines.linePos(offset ?? 0);
    return `${fileName}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    return { config: {}, errors: doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split('\n')[0]}`) };
  }
  let value: unknown;
  try {
    // Aliases expand here: an unresolved one or an alias bomb throws.
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    return { config: {}, errors: [`${at(0)}: ${(e as Error).message}`] };
  }
  const parsed = GiterminismFile.safeParse(value ?? {});
  if (parsed.success) {
    const { stapel, secrets } = parsed.data.config ?? {};
    return { config: { ...(stapel ? { stapel } : {}), ...(secrets ? { secrets } : {}) }, errors: [] };
  }
  const errors = parsed.error.issues.flatMap((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      const owner = path.length === 0 ? doc.contents : doc.getIn(path, true);
      return issue.keys.map((key) => {
        const pair = isMap(owner)
          ? owner.items.find((p) => isScalar(p.key) && String(p.key.value) === key)
          : undefined;
        const where = at((pair?.key as Node | undefined)?.range?.[0]);
        return `${where}: ${[...path, key].join('.')}: unknown field ${JSON.stringify(key)}`;
      });
    }
    const node = (path.length === 0 ? doc.contents : doc.getIn(path, true)) as Node | undefined;
    const where = at(node?.range?.[0] ?? (doc.contents as Node | null)?.range?.[0]);
    return `${where}: ${path.join('.') || '(document)'}: ${issue.message}`;
  });
  return { config: {}, errors };
}

/**
 * The giterminism rules of a project from its file set (`.Files`: paths
 * relative to the project folder): none when it has no werf-giterminism.yaml.
 * `dir` is the folder's name for messages ('' for the project root).
 */
export function giterminismFromProjectFiles(
  files: ReadonlyMap<string, string> | undefined,
  dir = '',
): GiterminismFileResult {
  const text = files?.get(GITERMINISM_FILE);
  if (text === undefined) return { config: {}, errors: [] };
  const folder = dir.replace(/^\/+|\/+$/g, '');
  return parseGiterminismFile(
    text,
    folder === '' || folder === '.' ? GITERMINISM_FILE : `${folder}/${GITERMINISM_FILE}`,
  );
}
