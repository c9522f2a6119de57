// `stapel-operator plan`: render, parse and plan a werf.yaml, and show every
// image's stages with their digests or what they wait for.
import type { PlanFacts } from '../plan/facts.js';
import { compilePlan, evaluatePlan, type Plan, type PlanProblem } from '../plan/planner.js';
import { formatWerfConfigError, formatYamlPath } from '../werf/errors.js';
import { parseWerfConfig } from '../werf/parse-config.js';
import type { Command } from './commands.js';
import { answerLocalGitNeeds, type LocalRepository, readLocalRepository } from './plan-git.js';
import { assumedDigests, planDockerfiles, planJson, planTable } from './plan-output.js';
import {
  commandArgs,
  commandPrefix,
  configFileName,
  defaultProjectArgs,
  EXIT_CODES_USAGE,
  EXIT_CONFIG_ERROR,
  errorSummary,
  loadProjectGiterminism,
  PROJECT_OPTIONS_USAGE,
  type ProjectArgs,
  parseProjectArgs,
  projectDir,
  readProjectConfig,
  renderProject,
  reportRenderFailure,
  unknownOption,
} from './project-args.js';

const usage = `Usage: stapel-operator plan [-f werf.yaml] [options]

Renders, parses and plans a werf.yaml: the image graph, every Stapel stage with
its digest, or the facts it waits for (import checksums and git content are
learned from registries and repositories while building). Local git mappings
read the commit checked out in DIR's git work tree (HEAD, committed files only,
as werf does); remote mappings wait for their content.
${EXIT_CODES_USAGE}

Options:
${PROJECT_OPTIONS_USAGE}
  --images a,b           plan these images (and what they need) instead of every final image
  --platform OS/ARCH     target platform (default linux/amd64)
  --repository REPO      registry repository of stage images, for the Dockerfiles (default <repository>)
  --assume-facts         plan as if every import checksum and git fact were known, with
                         placeholder values: shows every stage, but digests that depend on
                         a placeholder are not the real ones (they are marked)
  -o, --output FORMAT    table (default), json or dockerfiles`;

interface PlanArgs extends ProjectArgs {
  images: string[] | undefined;
  platform: string | undefined;
  repository: string | undefined;
  assumeFacts: boolean;
  output: 'table' | 'json' | 'dockerfiles';
}

function parseArgs(args: readonly string[]): PlanArgs | string {
  const out: PlanArgs = {
    ...defaultProjectArgs(),
    images: undefined,
    platform: undefined,
    repository: undefined,
    assumeFacts: false,
    output: 'table',
  };
  const problem = parseProjectArgs(args, out, (flag, value) => {
    switch (flag) {
      case '--images':
        out.images = value()
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
        return undefined;
      case '--platform':
        out.platform = value();
        return undefined;
      case '--repository':
        out.repository = value();
        return undefined;
      case '--assume-facts':
        out.assumeFacts = true;
        return undefined;
      case '-o':
      case '--output': {
        const v = value();
        if (v !== 'table' && v !== 'json' && v !== 'dockerfiles')
          return `-o expects table, json or dockerfiles, got ${v}`;
        out.output = v;
        return undefined;
      }
      default:
        return unknownOption(flag);
    }
  });
  return problem ?? out;
}

const PLACEHOLDER = 'ASSUMED';

/**
 * Plans, answering what can be answered here: local git content from the
 * project's work tree, and with `assume` placeholder values (marked so
 * nobody mistakes them for real checksums) for everything else but stage
 * images, which only a build produces.
 */
export function planLocally(
  compiled: ReturnType<typeof compilePlan>,
  repo: LocalRepository | undefined,
  assume: boolean,
): { plan: Plan; problems: string[] } {
  const facts = {
    importChecksums: new Map<string, string>(),
    gitCommits: new Map<string, string>(),
    gitContent: new Map<string, string>(),
    externalImages: new Map<string, string>(),
  } satisfies PlanFacts;
  const problems: string[] = [];
  let plan = evaluatePlan(compiled, facts);
  for (let round = 0; round < 1000; round++) {
    const known =
      facts.gitContent.size + facts.importChecksums.size + facts.gitCommits.size + facts.externalImages.size;
    if (repo) problems.push(...answerLocalGitNeeds(repo, plan.needs, facts.gitContent));
    if (assume) {
      for (const need of plan.needs) {
        if (need.kind === 'importChecksum')
          facts.importChecksums.set(need.key, `${PLACEHOLDER}-${need.key.slice(0, 16)}`);
        if (need.kind === 'gitCommit') facts.gitCommits.set(need.key, PLACEHOLDER);
        // Not pinned here: the reference as written stands in for its digest.
        if (need.kind === 'externalImage') facts.externalImages.set(need.key, need.ref);
        if (need.kind === 'gitContent' && !facts.gitContent.has(need.key)) {
          facts.gitContent.set(need.key, `${PLACEHOLDER}-${need.key.slice(0, 16)}`);
        }
      }
    }
    if (
      facts.gitContent.size +
        facts.importChecksums.size +
        facts.gitCommits.size +
        facts.externalImages.size ===
      known
    )
      break;
    plan = evaluatePlan(compiled, facts);
  }
  return { plan, problems };
}

function problemLine(fileName: string, p: PlanProblem, kind: string): string {
  // Problems of the request (--images) have no place in the file.
  if (p.docIndex < 0 && p.line === 0)
    return `${commandPrefix('plan')}${p.path[0] === 'images' ? '--images: ' : ''}${kind}${p.message}`;
  const where = `${fileName}:${p.line}:${p.column}`;
  const doc = p.docIndex >= 0 ? ` document ${p.docIndex + 1}` : '';
  const image = p.image === undefined ? '' : ` (image "${p.image}")`;
  return `${where}:${doc}${image}: ${formatYamlPath(p.path)}: ${kind}${p.message}`;
}

export const planCommand: Command = {
  summary: 'show the stages, digests and build recipes of a werf.yaml',
  async run(args) {
    const parsed = commandArgs(args, usage, 'plan', parseArgs);
    if (typeof parsed === 'number') return parsed;
    const fileName = configFileName(parsed);
    const text = await readProjectConfig(parsed, 'plan');
    if (typeof text === 'number') return text;
    let rendered: string;
    try {
      rendered = renderProject(text, parsed);
    } catch (e) {
      return reportRenderFailure(e, parsed, 'plan');
    }
    const giterminism = loadProjectGiterminism(parsed);
    if (typeof giterminism === 'number') return giterminism;
    const result = parseWerfConfig(rendered, { fileName, giterminism });
    for (const w of result.warnings) process.stderr.write(`${formatWerfConfigError(fileName, w)}\n`);
    if (result.errors.length > 0) {
      for (const e of result.errors) process.stderr.write(`${formatWerfConfigError(fileName, e)}\n`);
      process.stderr.write(`${errorSummary(fileName, result.errors.length)}\n`);
      return EXIT_CONFIG_ERROR;
    }
    const hasLocalGit = result.config.images.some((i) => i.git.some((m) => m.kind === 'local'));
    const repo = hasLocalGit ? readLocalRepository(projectDir(parsed)) : undefined;
    const compiled = compilePlan(result.config, {
      images: parsed.images,
      platform: parsed.platform,
      repository: parsed.repository,
      ...(repo ? { git: { url: repo.url, commit: repo.commit } } : {}),
    });
    const { plan, problems } = planLocally(compiled, repo, parsed.assumeFacts);
    if (problems.length > 0) {
      for (const p of problems) process.stderr.write(`${commandPrefix('plan')}${p}\n`);
      return EXIT_CONFIG_ERROR;
    }
    for (const w of plan.warnings) process.stderr.write(`${problemLine(fileName, w, 'warning: ')}\n`);
    if (plan.errors.length > 0) {
      for (const e of plan.errors) process.stderr.write(`${problemLine(fileName, e, '')}\n`);
      process.stderr.write(`${errorSummary(fileName, plan.errors.length)}\n`);
      return EXIT_CONFIG_ERROR;
    }
    if (parsed.assumeFacts) {
      process.stderr.write(
        `${commandPrefix('plan')}--assume-facts: checksums and git content marked ASSUMED are placeholders\n`,
      );
    }
    const assumed = parsed.assumeFacts
      ? assumedDigests(plan, (v) => v.startsWith(PLACEHOLDER))
      : new Set<string>();
    if (parsed.output === 'json') process.stdout.write(planJson(plan));
    else if (parsed.output === 'dockerfiles') {
      process.stdout.write(planDockerfiles(plan, parsed.repository ?? '<repository>', assumed));
    } else process.stdout.write(planTable(plan, assumed));
    return 0;
  },
};
