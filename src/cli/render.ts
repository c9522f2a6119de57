// `stapel-operator render`: renders a werf.yaml Go template and prints the result.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeConfigFile } from '../werf/encoding.js';
import type { Command } from './commands.js';
import {
  commandArgs,
  configFileName,
  defaultProjectArgs,
  PROJECT_OPTIONS_USAGE,
  type ProjectArgs,
  parseProjectArgs,
  renderProject,
  unknownOption,
} from './project-args.js';

const usage = `Usage: stapel-operator render [-f werf.yaml] [options]

Renders werf.yaml as werf does (Go templates, sprig and werf functions) and prints the text.

Options:
${PROJECT_OPTIONS_USAGE}`;

function parseArgs(args: string[]): ProjectArgs | string {
  const out = defaultProjectArgs();
  const problem = parseProjectArgs(args, out, unknownOption);
  return problem ?? out;
}

export const renderCommand: Command = {
  summary: 'render a werf.yaml Go template and print the result',
  async run(args) {
    const parsed = commandArgs(args, usage, 'render', parseArgs);
    if (typeof parsed === 'number') return parsed;
    let text: string;
    try {
      text = decodeConfigFile(readFileSync(resolve(parsed.file)), configFileName(parsed));
    } catch (e) {
      process.stderr.write(`render: cannot read ${parsed.file}: ${(e as Error).message}\n`);
      return 1;
    }
    try {
      process.stdout.write(renderProject(text, parsed));
      return 0;
    } catch (e) {
      // RenderError's message names file, line and column; others (an unreadable folder) their path.
      process.stderr.write(`render: ${(e as Error).message}\n`);
      return 1;
    }
  },
};
