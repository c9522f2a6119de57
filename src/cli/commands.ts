// The CLI's command table. Each command lives in its own module under
// src/cli/ and is registered here with a one-line summary.
import { planCommand } from './plan.js';
import { prepareCommand } from './prepare.js';
import { renderCommand } from './render.js';
import { runCommand } from './run.js';
import { validateCommand } from './validate.js';

export interface Command {
  summary: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  plan: planCommand,
  prepare: prepareCommand,
  run: runCommand,
  render: renderCommand,
  validate: validateCommand,
};
