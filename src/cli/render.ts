// `stapel-operator render`: renders a werf.yaml Go template and prints the result.
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { decodeConfigFile } from '../werf/encoding.js';
import { RenderError, renderWerfConfig } from '../werf/render/index.js';
import type { Command } from './commands.js';
import { readProjectFiles } from './project-files.js';

const usage = `Usage: stapel-operator render -f werf.yaml [--dir DIR] [--env K=V ...] [--werf-env NAME] [--loose-env]

Renders werf.yaml as werf does (Go templates, sprig and werf functions) and prints the text.
  -f, --file FILE     the werf.yaml to render (default: werf.yaml)
  --dir DIR           project root for .Files and .werf/**/*.tmpl partials (default: the file's folder)
  --env K=V           a value the template's env function may read (repeatable)
  --werf-env NAME     the value of .Env (werf's --env), e.g. production
  --loose-env         env NAME without a default gives "" when unset instead of failing`;

interface RenderArgs {
  file: string;
  dir: string | undefined;
  env: Record<string, string>;
  werfEnv: string;
  strictEnv: boolean;
}

function parseArgs(args: string[]): RenderArgs | string {
  const out: RenderArgs = { file: 'werf.yaml', dir: undefined, env: {}, werfEnv: '', strictEnv: true };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '-f':
      case '--file':
        out.file = value();
        break;
      case '--dir':
        out.dir = value();
        break;
      case '--env': {
        const kv = value();
        const eq = kv.indexOf('=');
        if (eq <= 0) return `--env expects K=V, got ${JSON.stringify(kv)}`;
        out.env[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '--werf-env':
        out.werfEnv = value();
        break;
      case '--loose-env':
        out.strictEnv = false;
        break;
      default:
        return `unknown option ${JSON.stringify(a)}`;
    }
  }
  return out;
}

export const renderCommand: Command = {
  summary: 'render a werf.yaml Go template and print the result',
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    let parsed: RenderArgs | string;
    try {
      parsed = parseArgs(args);
    } catch (e) {
      parsed = (e as Error).message;
    }
    if (typeof parsed === 'string') {
      process.stderr.write(`render: ${parsed}\n\n${usage}\n`);
      return 2;
    }
    const file = resolve(parsed.file);
    let text: string;
    try {
      text = decodeConfigFile(readFileSync(file), basename(file));
    } catch (e) {
      process.stderr.write(`render: cannot read ${parsed.file}: ${(e as Error).message}\n`);
      return 1;
    }
    const dir = resolve(parsed.dir ?? dirname(file));
    try {
      const files = readProjectFiles(dir);
      const out = renderWerfConfig(text, {
        files,
        env: parsed.env,
        werfEnv: parsed.werfEnv,
        strictEnv: parsed.strictEnv,
        fileName: basename(file),
      });
      process.stdout.write(out);
      return 0;
    } catch (e) {
      if (e instanceof RenderError) {
        process.stderr.write(`render: ${e.message}\n`);
        return 1;
      }
      process.stderr.write(`render: ${(e as Error).message}\n`);
      return 1;
    }
  },
};
