// The functions werf adds to or replaces in sprig's map (werf-stapel.md §1.4):
// include, tpl, required, env, fromYaml, toYaml and the *_debug helpers.

import type { CallContext, TemplateFunc } from './exec.js';
import { FuncError } from './exec.js';
import { fromYaml, toYaml } from './goyaml.js';
import { adler32 } from './sprig.js';
import type { Value } from './values.js';

export interface WerfFuncOptions {
  /** Values `env NAME` may read; the operator's own environment is never used. */
  env: ReadonlyMap<string, string>;
  /** werf's giterminism: an unset variable without a default is an error (true) or "" (false). */
  strictEnv: boolean;
  /** Parses a template text into the shared set (for tpl). */
  parseInto(name: string, text: string): void;
}

export function werfFunctions(opts: WerfFuncOptions): Record<string, TemplateFunc> {
  const include = (args: Value[], ctx?: CallContext): Value => {
    const [name, data] = args;
    return ctx!.state.executeTemplate(name as string, data ?? null);
  };
  const tpl = (args: Value[], ctx?: CallContext): Value => {
    const [text, data] = args as [string, Value];
    const name = `tpl-${adler32(text)}`;
    opts.parseInto(name, text);
    return ctx!.state.executeTemplate(name, data);
  };
  return {
    include: { params: ['string', 'any'], call: include },
    include_debug: { params: ['string', 'any'], call: include },
    tpl: { params: ['string', 'any'], call: tpl },
    tpl_debug: { params: ['string', 'any'], call: tpl },
    printf_debug: { params: ['string'], variadic: 'any', call: () => '' },
    dump_debug: { params: ['any'], call: () => '' },
    required: {
      params: ['string', 'any'],
      call: ([msg, val]) => {
        if (val === null || val === '') throw new FuncError(msg as string);
        return val!;
      },
    },
    env: {
      params: ['string'],
      variadic: 'string',
      call: ([name, ...defaults]) => {
        const value = opts.env.get(name as string);
        if (value === undefined || value === '') {
          if (defaults.length > 0) return defaults[0]!;
          if (value === undefined && opts.strictEnv) {
            throw new FuncError(
              `environment variable ${JSON.stringify(name)} is not set; pass it with --env ${name as string}=VALUE`,
            );
          }
          return '';
        }
        return value;
      },
    },
    fromYaml: {
      params: ['string'],
      call: ([s]) => fromYaml(s as string),
    },
    toYaml: {
      params: ['any'],
      call: ([v]) => {
        try {
          return toYaml(v!);
        } catch {
          return '';
        }
      },
    },
  };
}
