#!/usr/bin/env node
import { commands } from './commands.js';

const usage = `stapel-operator: build container images from werf Stapel configuration on Kubernetes

Usage: stapel-operator <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run 'stapel-operator <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage}\n`);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`stapel-operator: unknown command '${name}'\n\n${usage}\n`);
    return 2;
  }
  return command.run(rest);
}

// `npm run cli -- ...` runs this from the package root; the user's paths are
// relative to where they typed the command, which npm keeps in INIT_CWD.
if (process.env.npm_lifecycle_event === 'cli' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`stapel-operator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
