// Random well-formed Go templates for the differential property test. A
// template is built from a seed by a small grammar: text, actions with
// pipelines of sprig/builtin calls, variables with Go's scoping, if/else if,
// range (with break/continue), with, define/template/include, comments and
// trim markers. Expressions are typed loosely so most templates render, and
// the ones that fail exercise matching errors.
import fc from 'fast-check';

type Rng = () => number;

/** mulberry32: a tiny deterministic PRNG. */
function rngFrom(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  private vars: string[][] = [[]];
  private varCount = 0;
  private rangeDepth = 0;
  readonly defines: string[] = [];
  private defineNames: string[] = [];
  private depth = 0;

  constructor(private readonly r: Rng) {}

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  private chance(p: number): boolean {
    return this.r() < p;
  }
  private visibleVars(): string[] {
    return this.vars.flat();
  }

  strLit(): string {
    const words = [
      'a',
      'b',
      'hello',
      'World',
      'x-y',
      'a,b,c',
      ' pad ',
      'é',
      '日本',
      'q"t',
      "it's",
      'tab\\t',
      'nl\\n',
      '',
      '42',
      'true',
      'k: v',
      '- item',
      '#c',
    ];
    if (this.chance(0.15)) return '`' + this.pick(['raw', 'r\\aw', 'multi\nline', '']) + '`';
    return '"' + this.pick(words) + '"';
  }
  intLit(): string {
    return String(this.int(-20, 40));
  }

  str(): string {
    this.depth++;
    try {
      if (this.depth > 3) return this.strLit();
      const vars = this.visibleVars();
      const choice = this.int(0, 24);
      switch (choice) {
        case 0:
          return `(upper ${this.str()})`;
        case 1:
          return `(lower ${this.str()})`;
        case 2:
          return `(trim ${this.str()})`;
        case 3:
          return `(printf "%s-%d|%v|%q" ${this.str()} ${this.intE()} ${this.any()} ${this.str()})`;
        case 4:
          return `(quote ${this.any()})`;
        case 5:
          return `(replace "a" "_" ${this.str()})`;
        case 6:
          return `(repeat ${this.int(0, 3)} ${this.str()})`;
        case 7:
          return `(toString ${this.any()})`;
        case 8:
          return `(print ${this.any()} ${this.any()})`;
        case 9:
          return `(join "," ${this.list()})`;
        case 10:
          return '$.Env';
        case 11:
          return vars.length ? this.pick(vars) : this.strLit();
        case 12:
          return `(default "dflt" ${this.str()})`;
        case 13:
          return `(indent ${this.int(0, 4)} ${this.str()})`;
        case 14:
          return `(nindent 2 ${this.str()})`;
        case 15:
          return `(cat ${this.any()} ${this.str()})`;
        case 16:
          return `(toJson ${this.any()})`;
        case 17:
          return `(toYaml ${this.any()})`;
        case 18:
          // Byte-level cuts through multi-byte text differ by design (see README), so ASCII only here.
          return `(trunc ${this.int(-3, 5)} ${this.pick(['"hello"', '"a,b,c"', '$.Env'])})`;
        case 19:
          return `(${this.str()} | ${this.pick(['upper', 'title', 'squote', 'b64enc', 'sha1sum', 'snakecase', 'trimSuffix "a"', 'nospace'])})`;
        case 20:
          return `(ternary ${this.str()} ${this.str()} ${this.bool()})`;
        case 21:
          return `(regexReplaceAll "[aeiou]" ${this.str()} "*")`;
        case 22:
          return `(printf "%x|%5.2f|%-6s|%c|%o|%+d|%08.3f|%e" ${this.intE()} ${this.pick(['1.5', '0.25', '2.675', '1e3'])} ${this.str()} ${this.int(65, 90)} ${this.intE()} ${this.intE()} ${this.pick(['-3.14159', '0.5'])} ${this.pick(['1234.5678', '0.000125'])})`;
        default:
          return this.strLit();
      }
    } finally {
      this.depth--;
    }
  }

  intE(): string {
    this.depth++;
    try {
      if (this.depth > 3) return this.intLit();
      switch (this.int(0, 9)) {
        case 0:
          return `(len ${this.str()})`;
        case 1:
          return `(len ${this.list()})`;
        case 2:
          return `(add ${this.intE()} ${this.intE()})`;
        case 3:
          return `(sub ${this.intE()} ${this.intLit()})`;
        case 4:
          return `(mul ${this.intLit()} ${this.intE()})`;
        case 5:
          return `(max ${this.intE()} ${this.intLit()})`;
        case 6:
          return `(atoi ${this.pick(['"12"', '"x"', '"-3"'])})`;
        case 7:
          return `(int ${this.any()})`;
        default:
          return this.intLit();
      }
    } finally {
      this.depth--;
    }
  }

  list(): string {
    this.depth++;
    try {
      if (this.depth > 3) return `(list ${this.intLit()} ${this.strLit()})`;
      switch (this.int(0, 9)) {
        case 0:
          return `(splitList "," ${this.str()})`;
        case 1:
          return `(until ${this.int(0, 4)})`;
        case 2:
          return `(append ${this.list()} ${this.any()})`;
        case 3:
          return `(reverse ${this.list()})`;
        case 4:
          return `(uniq ${this.list()})`;
        case 5:
          return `(sortAlpha ${this.list()})`;
        case 6:
          return `(keys ${this.dict()} | sortAlpha)`;
        case 7:
          return `(concat ${this.list()} ${this.list()})`;
        default: {
          const n = this.int(0, 4);
          const items = Array.from({ length: n }, () => this.any());
          return `(list${items.map((i) => ' ' + i).join('')})`;
        }
      }
    } finally {
      this.depth--;
    }
  }

  dict(): string {
    this.depth++;
    try {
      if (this.depth > 3) return `(dict "k" ${this.strLit()})`;
      switch (this.int(0, 4)) {
        case 0:
          return `(merge ${this.dict()} ${this.dict()})`;
        case 1:
          return `(fromYaml ${this.pick(['"a: 1\\nb: [x, y]"', '"k: v"', '"{}"', '"n:\\n  m: true"'])})`;
        default: {
          const n = this.int(0, 3);
          const parts = Array.from(
            { length: n },
            () => `${this.pick(['"a"', '"b"', '"k"', '"Z"', '"10"', '"9"'])} ${this.any()}`,
          );
          return `(dict${parts.map((p) => ' ' + p).join('')})`;
        }
      }
    } finally {
      this.depth--;
    }
  }

  bool(): string {
    this.depth++;
    try {
      if (this.depth > 3) return this.pick(['true', 'false']);
      switch (this.int(0, 10)) {
        case 0:
          return `(eq ${this.intE()} ${this.intE()})`;
        case 1:
          return `(ne ${this.str()} ${this.str()})`;
        case 2:
          return `(lt ${this.intE()} ${this.intLit()})`;
        case 3:
          return `(and ${this.any()} ${this.any()})`;
        case 4:
          return `(or ${this.any()} ${this.any()})`;
        case 5:
          return `(not ${this.any()})`;
        case 6:
          return `(empty ${this.any()})`;
        case 7:
          return `(has ${this.any()} ${this.list()})`;
        case 8:
          return `(hasKey ${this.dict()} "a")`;
        case 9:
          return `(contains "a" ${this.str()})`;
        default:
          return this.pick(['true', 'false']);
      }
    } finally {
      this.depth--;
    }
  }

  any(): string {
    switch (this.int(0, 5)) {
      case 0:
        return this.intE();
      case 1:
        return this.list();
      case 2:
        return this.dict();
      case 3:
        return this.bool();
      case 4:
        return this.pick(['1.5', '0.25', '1e3', 'nil', "'x'"]);
      default:
        return this.str();
    }
  }

  text(): string {
    const bits = ['a', 'key: ', 'value', ' ', '  ', '\n', '\n  ', '- ', 'é', '#', ':', '\t', '---\n'];
    let t = '';
    const n = this.int(1, 4);
    for (let i = 0; i < n; i++) t += this.pick(bits);
    return t;
  }

  open(): string {
    return this.chance(0.3) ? '{{- ' : this.pick(['{{ ', '{{']);
  }
  close(): string {
    return this.chance(0.3) ? ' -}}' : this.pick([' }}', '}}']);
  }

  block(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += this.item();
    return out;
  }

  private scoped(body: () => string): string {
    this.vars.push([]);
    try {
      return body();
    } finally {
      this.vars.pop();
    }
  }

  item(): string {
    const nesting = this.vars.length;
    const c = this.int(0, nesting > 3 ? 6 : 14);
    switch (c) {
      case 0:
      case 1:
        return this.text();
      case 2:
      case 3:
        return `${this.open()}${this.any()}${this.close()}`;
      case 4: {
        const name = `$v${this.varCount++}`;
        const decl = `${this.open()}${name} := ${this.str()}${this.close()}`;
        this.vars[this.vars.length - 1]!.push(name);
        return decl;
      }
      case 5: {
        const vars = this.visibleVars();
        if (!vars.length) return this.text();
        return `${this.open()}${this.pick(vars)} = ${this.str()}${this.close()}`;
      }
      case 6:
        return this.chance(0.5) ? `{{/* ${this.pick(['note', 'x y'])} */}}` : `{{- /* c */ -}}`;
      case 7:
      case 8: {
        const cond = this.bool();
        const body = this.scoped(() => this.block(this.int(1, 3)));
        let elses = '';
        if (this.chance(0.4))
          elses += `{{ else if ${this.bool()} }}${this.scoped(() => this.block(this.int(1, 2)))}`;
        if (this.chance(0.5)) elses += `{{ else }}${this.scoped(() => this.block(this.int(1, 2)))}`;
        return `${this.open()}if ${cond}${this.close()}${body}${elses}{{ end }}`;
      }
      case 9:
      case 10: {
        const twoVars = this.chance(0.5);
        const src = this.chance(0.7) ? this.list() : this.chance(0.5) ? this.dict() : String(this.int(0, 3));
        const iv = `$i${this.varCount++}`;
        const ev = `$e${this.varCount++}`;
        const decl = twoVars && !/^\d/.test(src) ? `${iv}, ${ev} := ` : this.chance(0.5) ? `${ev} := ` : '';
        this.rangeDepth++;
        const body = this.scoped(() => {
          if (decl.includes(iv)) this.vars[this.vars.length - 1]!.push(iv);
          if (decl.includes(ev)) this.vars[this.vars.length - 1]!.push(ev);
          let b = `{{ . }}${this.block(this.int(0, 2))}`;
          if (this.chance(0.3))
            b += `{{ if ${this.bool()} }}{{ ${this.pick(['break', 'continue'])} }}{{ end }}`;
          return b + this.block(this.int(0, 1));
        });
        this.rangeDepth--;
        const elseB = this.chance(0.3) ? `{{ else }}${this.text()}` : '';
        return `${this.open()}range ${decl}${src}${this.close()}${body}${elseB}{{ end }}`;
      }
      case 11: {
        const body = this.scoped(() => `[{{ . }}]${this.block(this.int(0, 2))}`);
        let elseB = '';
        if (this.chance(0.3)) elseB += `{{ else with ${this.any()} }}(${'{{ . }}'})`;
        if (this.chance(0.4)) elseB += `{{ else }}${this.text()}`;
        return `${this.open()}with ${this.any()}${this.close()}${body}${elseB}{{ end }}`;
      }
      case 12: {
        if (this.defineNames.length === 0 || this.chance(0.3)) {
          const name = `t${this.defineNames.length}`;
          const saved = this.vars;
          const savedRange = this.rangeDepth;
          this.vars = [[]];
          this.rangeDepth = 0;
          const body = `<{{ . }}>${this.block(this.int(0, 2))}`;
          this.vars = saved;
          this.rangeDepth = savedRange;
          this.defines.push(`{{ define "${name}" }}${body}{{ end }}`);
          this.defineNames.push(name);
          return '';
        }
        const name = this.pick(this.defineNames);
        return this.chance(0.5)
          ? `{{ template "${name}" ${this.any()} }}`
          : `{{ include "${name}" ${this.any()} | ${this.pick(['upper', 'trim', 'quote', 'indent 2'])} }}`;
      }
      case 13:
        return `{{ tpl ${this.pick(['"{{ .a }}-{{ len . }}"', '"{{ range . }}{{ . }}{{ end }}"', '"plain"'])} ${this.dict()} }}`;
      default:
        return `${this.open()}${this.str()} | ${this.pick(['upper', 'quote', 'len', 'print "p"', 'printf "%v"', 'indent 1', 'toJson'])}${this.close()}`;
    }
  }
}

/** Builds one template from a seed. */
export function templateFromSeed(seed: number): string {
  const g = new Gen(rngFrom(seed));
  const body = g.block(1 + Math.floor(rngFrom(seed ^ 0x5bd1e995)() * 6));
  return g.defines.join('') + body;
}

/** The fast-check arbitrary of generated templates. */
export const templateArb = fc.integer().map(templateFromSeed);
