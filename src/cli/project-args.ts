// The options every command that reads a werf project shares (-f/--file,
// --dir, --env K=V, --werf-env, --loose-env, --loose-giterminism) and the
// render step they feed: one parser so `plan`, `render` and `validate` accept
// and reject the same things.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { decodeConfigFile, decodeUtf8, encodingMessage } from '../werf/encoding.js';
import type { GiterminismConfig } from '../werf/giterminism.js';
import {
  GITERMINISM_FILE,
  type GiterminismFileResult,
  parseGiterminismFile,
} from '../werf/giterminism-file.js';
import { RenderError, renderWerfConfig } from '../werf/render/index.js';
import { readProjectFiles } from './project-files.js';

export interface ProjectArgs {
  /** The werf.yaml; "-" is standard input where a command allows it. */
  file: string;
  /** Project root for .Files and .werf partials; default: the file's folder. */
  dir: string | undefined;
  /** Values for the template's env function. */
  env: Record<string, string>;
  /** The value of .Env (werf's --env). */
  werfEnv: string;
  /** `env NAME` without a default gives "" when unset instead of failing. */
  looseEnv: boolean;
  /** werf's --loose-giterminism: allow what werf-giterminism.yaml would have to allow. */
  looseGiterminism: boolean;
}

export const DEFAULT_CONFIG_FILE = 'werf.yaml';

/**
 * The exit codes of plan, render and validate: 1 when the config is wrong
 * (YAML, template, werf's rules, the plan), 2 when the command could not
 * start on it (bad options, a file that cannot be read or is not UTF-8).
 */
export const EXIT_CONFIG_ERROR = 1;
export const EXIT_USAGE = 2;

/** The exit-code lines of the usage texts of plan, render and validate. */
export const EXIT_CODES_USAGE = `Exits 1 when the config has an error (YAML, template, werf's rules), 2 on a
usage error or a file that cannot be read (missing, not UTF-8); 0 otherwise.`;

/**
 * How plan, render and validate start a message that names no place in the
 * file (`stapel-operator plan: `); messages at a place start with FILE:LINE:COL.
 */
export function commandPrefix(command: string): string {
  return `stapel-operator ${command}: `;
}

/** "FILE: 2 errors", the last line when a command found errors. */
export function errorSummary(fileName: string, count: number): string {
  return `${fileName}: ${count} error${count === 1 ? '' : 's'}`;
}

export function defaultProjectArgs(): ProjectArgs {
  return {
    file: DEFAULT_CONFIG_FILE,
    dir: undefined,
    env: {},
    werfEnv: '',
    looseEnv: false,
    looseGiterminism: false,
  };
}

/** The usage lines of the shared options, so every command describes them alike. */
export const PROJECT_OPTIONS_USAGE = `  -f, --file FILE        the werf.yaml (default: werf.yaml, in DIR when --dir is given)
  --dir DIR              project root for .Files and .werf partials (default: the file's folder)
  --env K=V              a value the template's env function may read (repeatable)
  --werf-env NAME        the value of .Env (werf's --env), e.g. production
  --loose-env            env NAME without a default gives "" when unset instead of failing
  --loose-giterminism    allow what werf-giterminism.yaml would have to allow
                         (fromLatest, remote git branches, build_dir/fromPath mounts, secrets)
  (-f - reads standard input)`;

/**
 * A command's own option: returns undefined when it took `flag`, an error
 * message otherwise. `value()` takes the next argument (it throws
 * "FLAG needs a value" when there is none; parseProjectArgs turns that into the result).
 */
export type OwnOption = (flag: string, value: () => string) => string | undefined;

/** Parses `args` into `out`; returns an error message, or undefined when all parsed. */
export function parseProjectArgs(
  args: readonly string[],
  out: ProjectArgs,
  own: OwnOption,
): string | undefined {
  const fileBefore = out.file;
  try {
    for (let i = 0; i < args.length; i++) {
      const flag = args[i]!;
      const value = () => {
        const v = args[++i];
        if (v === undefined) throw new Error(`${flag} needs a value`);
        return v;
      };
      const shared = parseProjectOption(flag, value, out);
      const problem = shared === false ? own(flag, value) : shared;
      if (typeof problem === 'string') return problem;
    }
  } catch (e) {
    return (e as Error).message;
  }
  // `--dir proj` alone means proj/werf.yaml, not the working directory's.
  if (out.file === fileBefore && out.dir !== undefined) out.file = join(out.dir, DEFAULT_CONFIG_FILE);
  return undefined;
}

/** The shared options: true when taken, an error message, or false for "not one of them". */
function parseProjectOption(flag: string, value: () => string, out: ProjectArgs): string | boolean {
  switch (flag) {
    case '-f':
    case '--file':
      out.file = value();
      return true;
    case '--dir':
      out.dir = value();
      return true;
    case '--env': {
      const kv = value();
      const eq = kv.indexOf('=');
      if (eq <= 0) return `--env expects K=V, got ${JSON.stringify(kv)}`;
      out.env[kv.slice(0, eq)] = kv.slice(eq + 1);
      return true;
    }
    case '--werf-env':
      out.werfEnv = value();
      return true;
    case '--loose-env':
      out.looseEnv = true;
      return true;
    case '--loose-giterminism':
      out.looseGiterminism = true;
      return true;
    default:
      return false;
  }
}

/** The arguments of a command with no options of its own (render, validate). */
export function parseOnlyProjectArgs(args: readonly string[]): ProjectArgs | string {
  const out = defaultProjectArgs();
  return parseProjectArgs(args, out, unknownOption) ?? out;
}

export function unknownOption(flag: string): string {
  return `unknown option ${JSON.stringify(flag)}`;
}

/** The project root: --dir, else the werf.yaml's folder (the working directory for "-"). */
export function projectDir(args: ProjectArgs): string {
  return resolve(args.dir ?? dirname(args.file));
}

/** How errors name the werf.yaml: the path as the user gave it ("werf.yaml" for standard input). */
export function configFileName(args: ProjectArgs): string {
  return args.file === '-' ? DEFAULT_CONFIG_FILE : args.file;
}

/**
 * The werf.yaml's text (standard input for "-"), or, when it cannot be read
 * or is not UTF-8, the exit code after printing why.
 */
export async function readProjectConfig(args: ProjectArgs, command: string): Promise<string | number> {
  let bytes: Uint8Array;
  try {
    bytes = args.file === '-' ? await readStdin() : readFileSync(resolve(args.file));
  } catch (e) {
    process.stderr.write(`${commandPrefix(command)}cannot read ${args.file}: ${fsReason(e)}\n`);
    return EXIT_USAGE;
  }
  const decoded = decodeUtf8(bytes);
  if (decoded.ok) return decoded.text;
  // The message names the file and the place once: FILE:LINE:COL: invalid UTF-8 ...
  process.stderr.write(`${encodingMessage(configFileName(args), decoded.problem)}\n`);
  return EXIT_USAGE;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A file system error without the path Node appends ("ENOENT: no such file or directory"). */
function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const message = err instanceof Error ? err.message : String(e);
  if (err.syscall && err.path) return message.replace(`, ${err.syscall} '${err.path}'`, '');
  return message;
}

/**
 * Prints why renderProject failed and returns the exit code: a template
 * error at its place with the error count (exit 1), anything else (the
 * project folder cannot be read) with the command's prefix (exit 2).
 */
export function reportRenderFailure(e: unknown, args: ProjectArgs, command: string): number {
  if (e instanceof RenderError) {
    process.stderr.write(`${e.message}\n${errorSummary(configFileName(args), 1)}\n`);
    return EXIT_CONFIG_ERROR;
  }
  process.stderr.write(`${commandPrefix(command)}${e instanceof Error ? e.message : String(e)}\n`);
  return EXIT_USAGE;
}

/**
 * Renders `text` (the werf.yaml's content) with the project's files and the
 * env values; errors name the file as configFileName does. Throws
 * RenderError for template problems, Error when the project folder cannot be read.
 */
export function renderProject(text: string, args: ProjectArgs): string {
  return renderWerfConfig(text, {
    files: readProjectFiles(projectDir(args)),
    env: args.env,
    werfEnv: args.werfEnv,
    fileName: configFileName(args),
    strictEnv: !args.looseEnv,
  });
}

/**
 * The start of plan, render and validate: `--help`/`-h` prints the usage
 * (exit 0); options `parse` rejects print the problem, then the usage (exit
 * 2). Returns the parsed options, or the exit code.
 */
export function commandArgs<T extends ProjectArgs>(
  args: string[],
  usage: string,
  command: string,
  parse: (args: string[]) => T | string,
): T | number {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const parsed = parse(args);
  if (typeof parsed !== 'string') return parsed;
  process.stderr.write(`${commandPrefix(command)}${parsed}\n\n${usage}\n`);
  return EXIT_USAGE;
}

/**
 * The giterminism rules for this project: everything allowed with
 * --loose-giterminism, else the project folder's werf-giterminism.yaml (the
 * working tree's, where werf reads the commit's), else werf's defaults.
 */
function projectGiterminism(args: ProjectArgs): GiterminismFileResult {
  if (args.looseGiterminism) return { config: { loose: true }, errors: [] };
  const file = join(args.dir ?? dirname(args.file === '-' ? '.' : args.file), GITERMINISM_FILE);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { config: {}, errors: [] };
    return { config: {}, errors: [`${file}: ${(e as Error).message}`] };
  }
  try {
    return parseGiterminismFile(decodeConfigFile(bytes, file), file);
  } catch (e) {
    return { config: {}, errors: [(e as Error).message] };
  }
}

/**
 * The giterminism rules for parsing the config (projectGiterminism), or,
 * when werf-giterminism.yaml has errors, the exit code after printing them
 * (each names its file and place).
 */
export function loadProjectGiterminism(args: ProjectArgs): GiterminismConfig | number {
  const result = projectGiterminism(args);
  for (const e of result.errors) process.stderr.write(`${e}\n`);
  return result.errors.length > 0 ? EXIT_CONFIG_ERROR : result.config;
}
