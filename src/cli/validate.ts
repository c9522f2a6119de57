import { formatWerfConfigError } from '../werf/errors.js';
import { parseWerfConfig } from '../werf/parse-config.js';
import type { Command } from './commands.js';
import {
  commandArgs,
  configFileName,
  EXIT_CODES_USAGE,
  EXIT_CONFIG_ERROR,
  errorSummary,
  loadProjectGiterminism,
  PROJECT_OPTIONS_USAGE,
  parseOnlyProjectArgs,
  readProjectConfig,
  renderProject,
  reportRenderFailure,
} from './project-args.js';

// `stapel-operator validate -f werf.yaml`: render a werf.yaml when it holds
// templates, parse it, and print every error (and warning) with file, line,
// column, document and YAML path.

const usage = `Usage: stapel-operator validate [-f werf.yaml] [options]

Checks a werf.yaml and prints every problem as
  FILE:LINE:COL: document N (image "NAME"): PATH: message
then the number of errors. Warnings do not fail.
${EXIT_CODES_USAGE}
A file with Go templates ({{ ... }}) is rendered first, as werf does; the
positions are then lines of the rendered text ('stapel-operator render' shows it).
Rendering stops at the first template error (as Go's text/template does), so
only that one is reported, and the YAML is not checked until it is fixed.

Options:
${PROJECT_OPTIONS_USAGE}`;

export const validateCommand: Command = {
  summary: 'check a werf.yaml and print every error with its line and YAML path',
  async run(args) {
    const parsed = commandArgs(args, usage, 'validate', parseOnlyProjectArgs);
    if (typeof parsed === 'number') return parsed;
    const read = await readProjectConfig(parsed, 'validate');
    if (typeof read === 'number') return read;
    let text = read;
    const fileName = configFileName(parsed);
    if (text.includes('{{')) {
      try {
        text = renderProject(text, parsed);
      } catch (e) {
        return reportRenderFailure(e, parsed, 'validate');
      }
    }
    const giterminism = loadProjectGiterminism(parsed);
    if (typeof giterminism === 'number') return giterminism;
    const { config, errors, warnings } = parseWerfConfig(text, { fileName, giterminism });
    for (const w of warnings) process.stderr.write(`${formatWerfConfigError(fileName, w)} (warning)\n`);
    for (const e of errors) process.stderr.write(`${formatWerfConfigError(fileName, e)}\n`);
    if (errors.length > 0) {
      process.stderr.write(`${errorSummary(fileName, errors.length)}\n`);
      return EXIT_CONFIG_ERROR;
    }
    const count = config.images.length + config.dockerfileImages.length;
    process.stdout.write(`${fileName}: valid (${count} image${count === 1 ? '' : 's'})\n`);
    return 0;
  },
};
