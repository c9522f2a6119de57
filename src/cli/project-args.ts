// The options every command that reads a werf project shares (-f/--file,
// --dir, --env K=V, --werf-env) and the render step they feed: one parser
// so `plan`, `render` and `validate` accept and reject the same things.
import { basename, dirname, resolve } from 'node:path';
import { renderWerfConfig } from '../werf/render/index.js';
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
}

export function defaultProjectArgs(file: string): ProjectArgs {
  return { file, dir: undefined, env: {}, werfEnv: '' };
}

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
    default:
      return false;
  }
}

export function unknownOption(flag: string): string {
  return `unknown option ${JSON.stringify(flag)}`;
}

/** The project root: --dir, else the werf.yaml's folder (the working directory for "-"). */
export function projectDir(args: ProjectArgs): string {
  return resolve(args.dir ?? dirname(args.file));
}

/**
 * Renders `text` (the werf.yaml's content) with the project's files and the
 * env values; `fileName` names the file in errors. Throws RenderError for
 * template problems, Error when the project folder cannot be read.
 */
export function renderProject(
  text: string,
  args: ProjectArgs,
  fileName: string,
  options: { strictEnv?: boolean } = {},
): string {
  return renderWerfConfig(text, {
    files: readProjectFiles(projectDir(args)),
    env: args.env,
    werfEnv: args.werfEnv,
    fileName: basename(fileName),
    ...options,
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
  process.stderr.write(`${command}: ${parsed}\n\n${usage}\n`);
  return 2;
}
