import { readFile } from 'node:fs/promises';
import { decodeConfigFile } from '../werf/encoding.js';
import { formatWerfConfigError } from '../werf/errors.js';
import { parseWerfConfig } from '../werf/parse-config.js';
import { RenderError } from '../werf/render/index.js';
import type { Command } from './commands.js';
import {
  commandArgs,
  configFileName,
  defaultProjectArgs,
  PROJECT_OPTIONS_USAGE,
  type ProjectArgs,
  parseProjectArgs,
  projectGiterminism,
  renderProject,
  unknownOption,
} from './project-args.js';

// `stapel-operator validate -f werf.yaml`: render a werf.yaml when it holds
// templates, parse it, and print every error (and warning) with file, line,
// column, document and YAML path.

const usage = `Usage: stapel-operator validate [-f werf.yaml] [options]

Checks a werf.yaml and prints every problem as
  FILE:LINE:COL: document N (image "NAME"): PATH: message
Exits 1 when there is an error, 0 otherwise (warnings do not fail).
A file with Go templates ({{ ... }}) is rendered first, as werf does; the
positions are then lines of the rendered text ('stapel-operator render' shows it).

Options:
${PROJECT_OPTIONS_USAGE}
  (-f - reads standard input)`;

export function parseValidateArgs(args: string[]): ProjectArgs | string {
  const out = defaultProjectArgs();
  const problem = parseProjectArgs(args, out, unknownOption);
  return problem ?? out;
}

async function readInput(file: string): Promise<string> {
  if (file !== '-') return decodeConfigFile(await readFile(file), file);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return decodeConfigFile(Buffer.concat(chunks), 'werf.yaml');
}

export const validateCommand: Command = {
  summary: 'check a werf.yaml and print every error with its line and YAML path',
  async run(args) {
    const parsed = commandArgs(args, usage, 'stapel-operator validate', parseValidateArgs);
    if (typeof parsed === 'number') return parsed;
    let text: string;
    try {
      text = await readInput(parsed.file);
    } catch (e) {
      process.stderr.write(`stapel-operator validate: cannot read ${parsed.file}: ${(e as Error).message}\n`);
      return 2;
    }
    const fileName = configFileName(parsed);
    if (text.includes('{{')) {
      try {
        text = renderProject(text, parsed);
      } catch (e) {
        process.stderr.write(
          `${e instanceof RenderError ? e.message : `${fileName}: ${(e as Error).message}`}\n`,
        );
        return 1;
      }
    }
    const giterminism = projectGiterminism(parsed);
    for (const e of giterminism.errors) process.stderr.write(`${e}\n`);
    if (giterminism.errors.length > 0) return 1;
    const { config, errors, warnings } = parseWerfConfig(text, { fileName, giterminism: giterminism.config });
    for (const w of warnings) process.stderr.write(`${formatWerfConfigError(fileName, w)} (warning)\n`);
    for (const e of errors) process.stderr.write(`${formatWerfConfigError(fileName, e)}\n`);
    if (errors.length > 0) {
      process.stderr.write(`${fileName}: ${errors.length} error${errors.length === 1 ? '' : 's'}\n`);
      return 1;
    }
    const count = config.images.length + config.dockerfileImages.length;
    process.stdout.write(`${fileName}: valid (${count} image${count === 1 ? '' : 's'})\n`);
    return 0;
  },
};
