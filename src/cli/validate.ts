import { readFile } from 'node:fs/promises';
import { formatWerfConfigError } from '../werf/errors.js';
import type { GiterminismConfig } from '../werf/giterminism.js';
import { parseWerfConfig } from '../werf/parse-config.js';
import type { Command } from './commands.js';

// `stapel-operator validate -f werf.yaml`: parse a rendered werf.yaml and
// print every error (and warning) with file, line, column, document and path.

const usage = `Usage: stapel-operator validate -f <werf.yaml> [--loose-giterminism]

Parses a rendered werf.yaml and prints every problem as
  FILE:LINE:COL: document N (image "NAME"): PATH: message
Exits 1 when there is an error, 0 otherwise (warnings do not fail).

Options:
  -f, --file FILE        the werf.yaml to check ("-" reads standard input)
  --loose-giterminism    allow what werf-giterminism.yaml would have to allow
                         (fromLatest, remote git branches, build_dir/fromPath mounts, secrets)`;

export interface ValidateArgs {
  file: string;
  giterminism: GiterminismConfig;
}

export function parseValidateArgs(args: string[]): ValidateArgs | string {
  let file: string | undefined;
  const giterminism: GiterminismConfig = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-f' || arg === '--file') {
      file = args[++i];
      if (file === undefined) return `${arg} needs a file name`;
    } else if (arg?.startsWith('--file=')) {
      file = arg.slice('--file='.length);
    } else if (arg === '--loose-giterminism') {
      giterminism.loose = true;
    } else {
      return `unknown argument ${JSON.stringify(arg)}`;
    }
  }
  if (file === undefined) return 'missing -f <werf.yaml>';
  return { file, giterminism };
}

async function readInput(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const validateCommand: Command = {
  summary: 'check a rendered werf.yaml and print every error with its line and YAML path',
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const parsed = parseValidateArgs(args);
    if (typeof parsed === 'string') {
      process.stderr.write(`stapel-operator validate: ${parsed}\n\n${usage}\n`);
      return 2;
    }
    let text: string;
    try {
      text = await readInput(parsed.file);
    } catch (e) {
      process.stderr.write(`stapel-operator validate: cannot read ${parsed.file}: ${(e as Error).message}\n`);
      return 2;
    }
    const fileName = parsed.file === '-' ? 'werf.yaml' : parsed.file;
    const { config, errors, warnings } = parseWerfConfig(text, { fileName, giterminism: parsed.giterminism });
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
