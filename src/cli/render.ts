// `stapel-operator render`: renders a werf.yaml Go template and prints the result.
import type { Command } from './commands.js';
import {
  commandArgs,
  EXIT_CODES_USAGE,
  PROJECT_OPTIONS_USAGE,
  parseOnlyProjectArgs,
  readProjectConfig,
  renderProject,
  reportRenderFailure,
} from './project-args.js';

const usage = `Usage: stapel-operator render [-f werf.yaml] [options]

Renders werf.yaml as werf does (Go templates, sprig and werf functions) and prints the text.
Rendering stops at the first template error, as Go's text/template does.
${EXIT_CODES_USAGE}

Options:
${PROJECT_OPTIONS_USAGE}`;

export const renderCommand: Command = {
  summary: 'render a werf.yaml Go template and print the result',
  async run(args) {
    const parsed = commandArgs(args, usage, 'render', parseOnlyProjectArgs);
    if (typeof parsed === 'number') return parsed;
    const text = await readProjectConfig(parsed, 'render');
    if (typeof text === 'number') return text;
    try {
      process.stdout.write(renderProject(text, parsed));
      return 0;
    } catch (e) {
      return reportRenderFailure(e, parsed, 'render');
    }
  },
};
