// `stapel-operator render`: renders a werf.yaml Go template and prints the result.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { decodeConfigFile } from '../werf/encoding.js';
import type { Command } from './commands.js';
import {
  commandArgs,
  defaultProjectArgs,
  type ProjectArgs,
  parseProjectArgs,
  renderProject,
  unknownOption,
} from './project-args.js';

const usage = `Usage: stapel-operator render -f werf.yaml [--dir DIR] [--env K=V ...] [--werf-env NAME] [--loose-env]

Renders werf.yaml as werf does (Go templates, sprig and werf functions) and prints the text.
  -f, --file FILE     the werf.yaml to render (default: werf.yaml)
  --dir DIR           project root for .Files and .werf/**/*.tmpl partials (default: the file's folder)
  --env K=V           a value the template's env function may read (repeatable)
  --werf-env NAME     the value of .Env (werf's --env), e.g. production
  --loose-env         env NAME without a default gives "" when unset instead of failing`;

interface RenderArgs extends ProjectArgs {
  strictEnv: boolean;
}

function parseArgs(args: string[]): RenderArgs | string {
  const out: RenderArgs = { ...defaultProjectArgs('werf.yaml'), strictEnv: true };
  const problem = parseProjectArgs(args, out, (flag) => {
    if (flag !== '--loose-env') return unknownOption(flag);
    out.strictEnv = false;
    return undefined;
  });
  return problem ?? out;
}

export const renderCommand: Command = {
  summary: 'render a werf.yaml Go template and print the result',
  async run(args) {
    const parsed = commandArgs(args, usage, 'render', parseArgs);
    if (typeof parsed === 'number') return parsed;
    const file = resolve(parsed.file);
    let text: string;
    try {
      text = decodeConfigFile(readFileSync(file), basename(file));
    } catch (e) {
      process.stderr.write(`render: cannot read ${parsed.file}: ${(e as Error).message}\n`);
      return 1;
    }
    try {
      process.stdout.write(renderProject(text, parsed, file, { strictEnv: parsed.strictEnv }));
      return 0;
    } catch (e) {
      // RenderError's message names file, line and column; others (an unreadable folder) their path.
      process.stderr.write(`render: ${(e as Error).message}\n`);
      return 1;
    }
  },
};
