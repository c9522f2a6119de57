import v8 from 'node:v8';

// Go RE2 patterns on JavaScript's RegExp: the syntax differences werf.yaml
// templates meet are translated ((?P<name>, \z, \A, inline flags, POSIX
// classes). Patterns that RE2 rejects but JS accepts (backreferences,
// look-around) are rejected here too, so both engines agree on errors.

const posixClasses: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

// Go's RE2 runs in time linear in the input; JS's backtracking engine can take
// hours on `(a+)+$` against "aaaa...b", and a regexp call cannot be
// interrupted, so one template would stall the whole operator. V8's linear
// engine (the `l` flag) matches RE2's guarantee; it lacks the `u` and `i`
// flags, which give the same matches when neither the pattern nor the subject
// has characters outside the BMP and the pattern has no \p classes. Only
// case-insensitive patterns and such subjects still use the backtracking engine.
v8.setFlagsFromString('--enable-experimental-regexp-engine');

interface Compiled {
  re: RegExp;
  /** The same pattern on the linear engine, when it can run there. */
  linear: RegExp | undefined;
}

const cache = new Map<string, Compiled>();
const surrogate = /[\uD800-\uDFFF]/;

/**
 * Compiles a Go regexp into an equivalent global JS RegExp for matching
 * `subject`, or throws Go-like errors. The result runs in linear time unless
 * the pattern is case-insensitive or a text has characters outside the BMP.
 */
export function goRegExp(pattern: string, subject: string): RegExp {
  const compiled = compile(pattern);
  const re = compiled.linear && !surrogate.test(subject) ? compiled.linear : compiled.re;
  re.lastIndex = 0;
  return re;
}

function compile(pattern: string): Compiled {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let flags = 'gu';
  let src = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'i' || f === 'm' || f === 's') flags += f;
      else throw new Error(`error parsing regexp: invalid or unsupported Perl syntax: \`(?${f}\``);
    }
    src = src.slice(lead[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined)
        throw new Error('error parsing regexp: trailing backslash at end of expression: ``');
      if (/[1-9]/.test(n)) throw new Error(`error parsing regexp: invalid escape sequence: \`\\${n}\``);
      if (n === 'z' && !inClass) out += flags.includes('m') ? '(?![\\s\\S])' : '$';
      else if (n === 'A' && !inClass) out += '^';
      else if (n === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const lit = src.slice(i + 2, end < 0 ? undefined : end);
        out += lit.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
        i = end < 0 ? src.length : end + 1;
        continue;
      } else out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        if (end > 0) {
          let name = src.slice(i + 2, end);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const cls = posixClasses[name];
          if (!cls) throw new Error(`error parsing regexp: invalid character class range: \`[:${name}:]\``);
          if (neg) throw new Error('negated POSIX classes are not supported');
          out += cls;
          i = end + 1;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      if (src.startsWith('(?P<', i)) {
        out += '(?<';
        i += 3;
        continue;
      }
      if (/^\(\?[=!<]/.test(src.slice(i)) && !src.startsWith('(?<', i)) {
        throw new Error(
          `error parsing regexp: invalid or unsupported Perl syntax: \`${src.slice(i, i + 3)}\``,
        );
      }
      if (src.startsWith('(?<=', i) || src.startsWith('(?<!', i)) {
        throw new Error(
          `error parsing regexp: invalid or unsupported Perl syntax: \`${src.slice(i, i + 4)}\``,
        );
      }
    }
    out += c;
  }
  let re: RegExp;
  try {
    re = new RegExp(out, flags);
  } catch (e) {
    throw new Error(`error parsing regexp: ${(e as Error).message}`);
  }
  const compiled = { re, linear: linearVariant(out, flags) };
  if (cache.size > 500) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

function linearVariant(source: string, flags: string): RegExp | undefined {
  if (flags.includes('i') || surrogate.test(source) || /\\[pP]/.test(source)) return undefined;
  try {
    return new RegExp(source, `${flags.replace('u', '')}l`);
  } catch {
    return undefined; // e.g. a large counted repetition, which the linear engine does not take
  }
}

/** Go's Regexp.Expand-style replacement: $1, ${1}, $name, ${name}; $$ is a dollar. */
export function goReplacement(repl: string, m: RegExpExecArray): string {
  return repl.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_all, d, braced, bare) => {
    if (d === '$') return '$';
    const name: string = braced ?? bare;
    if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
    return m.groups?.[name] ?? '';
  });
}

/** Regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
