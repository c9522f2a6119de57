// Parser for Go text/template: tokens -> parse trees, one per template name
// (the root plus every {{define}} / {{block}}), with Go's parse-time checks:
// functions must exist, variables must be declared, break/continue only in
// range, define only at top level, and so on.
import type {
  ArgNode,
  CommandNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  StringNode,
  TemplateNode,
  VariableNode,
} from './ast.js';
import { lex, type Token } from './lexer.js';

/** A parse-time error at an offset in the template text. */
export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

export interface ParsedTemplate {
  name: string;
  root: ListNode;
  /** The text the offsets in this tree refer to. */
  source: TemplateSource;
}

export interface TemplateSource {
  /** The name used in messages: the file name, or the tpl name. */
  file: string;
  text: string;
}

/**
 * Max nesting of parenthesised pipelines and of {{if}}/{{range}}/{{with}}/
 * {{block}} bodies. Go allows 10000 parentheses and any control depth (its
 * stacks grow); a JS stack overflows at a few thousand, so both share a bound
 * that leaves room for executing what parses.
 */
export const maxStackDepth = 1000;

class EndMarker {
  constructor(
    readonly kind: 'end' | 'else',
    readonly pos: number,
  ) {}
}

/**
 * Parses `text` as template `name`. Returns the trees it defines: the root
 * under `name` and each define/block under its own name.
 */
export function parseTemplate(
  name: string,
  source: TemplateSource,
  hasFunction: (name: string) => boolean,
): Map<string, ParsedTemplate> {
  const tokens = lex(source.text);
  const trees = new Map<string, ParsedTemplate>();
  let i = 0;
  let vars: string[] = ['$'];
  let rangeDepth = 0;
  let stackDepth = 0;

  const fail = (msg: string, pos: number): never => {
    throw new TemplateSyntaxError(msg, pos);
  };
  const next = (): Token => {
    const t = tokens[i]!;
    if (t.kind === 'error') fail(t.val, t.pos);
    if (i < tokens.length - 1) i++;
    return t;
  };
  const peek = (): Token => {
    const t = tokens[i]!;
    if (t.kind === 'error') fail(t.val, t.pos);
    return t;
  };
  const nextNonSpace = (): Token => {
    let t = next();
    while (t.kind === 'space') t = next();
    return t;
  };
  const peekNonSpace = (): Token => {
    let j = i;
    while (tokens[j]!.kind === 'space') j++;
    const t = tokens[j]!;
    if (t.kind === 'error') fail(t.val, t.pos);
    return t;
  };
  const describe = (t: Token): string => {
    switch (t.kind) {
      case 'eof':
        return 'EOF';
      case 'keyword':
        return `<${t.val}>`;
      case 'space':
        return 'space';
      case 'text':
        return JSON.stringify(t.val);
      default:
        return t.val.length > 10 ? JSON.stringify(t.val.slice(0, 10)) + '...' : JSON.stringify(t.val);
    }
  };
  const unexpected = (t: Token, context: string): never => {
    if (t.kind === 'error') fail(t.val, t.pos);
    return fail(`unexpected ${describe(t)} in ${context}`, t.pos);
  };
  const expect = (kind: Token['kind'], context: string): Token => {
    const t = nextNonSpace();
    if (t.kind !== kind) unexpected(t, context);
    return t;
  };

  const addTree = (treeName: string, root: ListNode, pos: number) => {
    const old = trees.get(treeName);
    if (old && !isEmptyTree(old.root) && !isEmptyTree(root)) {
      fail(`template: multiple definition of template ${JSON.stringify(treeName)}`, pos);
    }
    if (!old || isEmptyTree(old.root)) trees.set(treeName, { name: treeName, root, source });
  };

  // parse: the top level, which alone may hold {{define}}.
  const rootList: ListNode = { type: 'list', pos: peek().pos, nodes: [] };
  while (peek().kind !== 'eof') {
    if (peek().kind === 'leftDelim') {
      const save = i;
      next();
      const t = nextNonSpace();
      if (t.kind === 'keyword' && t.val === 'define') {
        parseDefinition(t.pos);
        continue;
      }
      i = save;
    }
    const n = textOrAction();
    if (n instanceof EndMarker) fail(`unexpected {{${n.kind}}}`, n.pos);
    else if (n) rootList.nodes.push(n);
  }
  addTree(name, rootList, 0);
  return trees;

  function parseDefinition(pos: number): void {
    const context = 'define clause';
    const nameTok = nextNonSpace();
    if (nameTok.kind !== 'string' && nameTok.kind !== 'rawString') unexpected(nameTok, context);
    const defName = unquote(nameTok);
    expect('rightDelim', context);
    const savedVars = vars;
    const savedRange = rangeDepth;
    vars = ['$'];
    rangeDepth = 0;
    const [list, end] = itemList({ what: `{{define ${JSON.stringify(defName)}}}`, pos });
    if (end.kind !== 'end') fail(`unexpected {{${end.kind}}} in ${context}`, end.pos);
    vars = savedVars;
    rangeDepth = savedRange;
    addTree(defName, list, pos);
  }

  /**
   * The nodes up to the next {{end}} or {{else}}. At EOF the error names
   * `opener` (what needed the {{end}}) and is placed at its "{{"; Go says
   * only "unexpected EOF", at the end of the text.
   */
  function itemList(opener?: { what: string; pos: number }): [ListNode, EndMarker] {
    const list: ListNode = { type: 'list', pos: peekNonSpace().pos, nodes: [] };
    while (peekNonSpace().kind !== 'eof') {
      const n = textOrAction();
      if (n instanceof EndMarker) return [list, n];
      if (n) list.nodes.push(n);
    }
    if (!opener) return fail('unexpected EOF', peek().pos);
    const at = Math.max(0, source.text.lastIndexOf('{{', opener.pos));
    const before = source.text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - (before.lastIndexOf('\n') + 1) + 1;
    return fail(`unexpected EOF: ${opener.what} opened at ${line}:${column} has no {{end}}`, at);
  }

  function textOrAction(): Node | EndMarker | null {
    const t = nextNonSpace();
    switch (t.kind) {
      case 'text':
        return { type: 'text', pos: t.pos, text: t.val };
      case 'leftDelim':
        return action();
      case 'comment':
        return { type: 'comment', pos: t.pos };
      default:
        return unexpected(t, 'input');
    }
  }

  function action(): Node | EndMarker {
    const save = i;
    const t = nextNonSpace();
    if (t.kind === 'keyword') {
      switch (t.val) {
        case 'block':
          return blockControl();
        case 'break':
        case 'continue': {
          const close = nextNonSpace();
          if (close.kind !== 'rightDelim') unexpected(close, `{{${t.val}}}`);
          if (rangeDepth === 0) fail(`{{${t.val}}} outside {{range}}`, t.pos);
          return { type: t.val, pos: t.pos };
        }
        case 'else': {
          const p = peekNonSpace();
          if (p.kind === 'keyword' && (p.val === 'if' || p.val === 'with'))
            return new EndMarker('else', p.pos);
          const close = expect('rightDelim', 'else');
          return new EndMarker('else', close.pos);
        }
        case 'end':
          return new EndMarker('end', expect('rightDelim', 'end').pos);
        case 'if':
          return control('if', t.pos);
        case 'range':
          return control('range', t.pos);
        case 'with':
          return control('with', t.pos);
        case 'template':
          return templateControl();
      }
    }
    i = save;
    const p = peekNonSpace();
    return { type: 'action', pos: p.pos, pipe: pipeline('command', 'rightDelim') };
  }

  /** Runs `body` one nesting level deeper, failing at `pos` past the bound. */
  function nested<T>(pos: number, what: string, body: () => T): T {
    if (stackDepth >= maxStackDepth) fail(`${what} nested deeper than ${maxStackDepth}`, pos);
    stackDepth++;
    try {
      return body();
    } finally {
      stackDepth--;
    }
  }

  function control(context: 'if' | 'range' | 'with', pos: number): Node {
    return nested(pos, `{{${context}}}`, () => controlBody(context, pos));
  }

  function controlBody(context: 'if' | 'range' | 'with', pos: number): Node {
    const opener = { what: `{{${context}}}`, pos };
    const mark = vars.length;
    const pipe = pipeline(context, 'rightDelim');
    if (context === 'range') rangeDepth++;
    let [list, end] = itemList(opener);
    if (context === 'range') rangeDepth--;
    let elseList: ListNode | null = null;
    if (end.kind === 'else') {
      const p = peekNonSpace();
      if (context === 'if' && p.kind === 'keyword' && p.val === 'if') {
        nextNonSpace();
        elseList = { type: 'list', pos: end.pos, nodes: [control('if', p.pos)] };
      } else if (context === 'with' && p.kind === 'keyword' && p.val === 'with') {
        nextNonSpace();
        elseList = { type: 'list', pos: end.pos, nodes: [control('with', p.pos)] };
      } else {
        [elseList, end] = itemList(opener);
        if (end.kind !== 'end') fail(`expected end; found {{${end.kind}}}`, end.pos);
      }
    }
    vars.length = mark;
    void list;
    return { type: context, pos: pipe.pos, pipe, list, elseList };
  }

  function blockControl(): Node {
    const context = 'block clause';
    const t = nextNonSpace();
    const blockName = templateName(t, context);
    const pipe = pipeline(context, 'rightDelim');
    const savedVars = vars;
    const savedRange = rangeDepth;
    vars = ['$'];
    rangeDepth = 0;
    const [list, end] = nested(t.pos, '{{block}}', () =>
      itemList({ what: `{{block ${JSON.stringify(blockName)}}}`, pos: t.pos }),
    );
    if (end.kind !== 'end') fail(`unexpected {{${end.kind}}} in ${context}`, end.pos);
    vars = savedVars;
    rangeDepth = savedRange;
    addTree(blockName, list, t.pos);
    return { type: 'template', pos: t.pos, name: blockName, pipe } satisfies TemplateNode;
  }

  function templateControl(): Node {
    const context = 'template clause';
    const t = nextNonSpace();
    const tmplName = templateName(t, context);
    let pipe: PipeNode | null = null;
    if (nextNonSpace().kind !== 'rightDelim') {
      i--;
      pipe = pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: t.pos, name: tmplName, pipe };
  }

  function templateName(t: Token, context: string): string {
    if (t.kind !== 'string' && t.kind !== 'rawString') unexpected(t, context);
    return unquote(t);
  }

  function pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const first = peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: first.pos, isAssign: false, decl: [], cmds: [] };
    // Declarations: $x := / $x = / $i, $e := (range only).
    for (;;) {
      const v = peekNonSpace();
      if (v.kind !== 'variable') break;
      const save = i;
      nextNonSpace();
      const after = peekNonSpace();
      if (after.kind === 'assign' || after.kind === 'declare') {
        pipe.isAssign = after.kind === 'assign';
        nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        vars.push(v.val);
        break;
      }
      if (after.kind === 'comma') {
        nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const k = peekNonSpace().kind;
          if (k === 'variable' || k === 'rightDelim' || k === 'rightParen') continue;
          fail('range can only initialize variables', v.pos);
        }
        fail(`too many declarations in ${context}`, v.pos);
      }
      i = save;
      break;
    }
    for (;;) {
      const t = nextNonSpace();
      if (t.kind === end) {
        if (pipe.cmds.length === 0) fail(`missing value for ${context}`, t.pos);
        pipe.cmds.slice(1).forEach((c, k) => {
          const a = c.args[0]!;
          if (['bool', 'dot', 'nil', 'number', 'string'].includes(a.type)) {
            fail(`non executable command in pipeline stage ${k + 2}`, a.pos);
          }
        });
        return pipe;
      }
      switch (t.kind) {
        case 'bool':
        case 'char':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          i--;
          pipe.cmds.push(command());
          continue;
        default:
          unexpected(t, context);
      }
    }
  }

  function command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: peekNonSpace().pos, args: [] };
    for (;;) {
      peekNonSpace();
      while (tokens[i]!.kind === 'space') i++;
      const op = operand();
      if (op) cmd.args.push(op);
      const t = next();
      if (t.kind === 'space') continue;
      if (t.kind === 'rightDelim' || t.kind === 'rightParen') i--;
      else if (t.kind !== 'pipe') unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) fail('empty command', cmd.pos);
    return cmd;
  }

  function operand(): ArgNode | null {
    const node = term();
    if (!node) return null;
    if (peek().kind !== 'field') return node;
    const pos = peek().pos;
    const fields: string[] = [];
    while (peek().kind === 'field') fields.push(next().val.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', pos: node.pos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { type: 'variable', pos: node.pos, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return fail(`unexpected . after term ${JSON.stringify(argText(node))}`, pos);
      default:
        return { type: 'chain', pos: node.pos, node, fields };
    }
  }

  function term(): ArgNode | null {
    const save = i;
    const t = nextNonSpace();
    switch (t.kind) {
      case 'identifier':
        if (!hasFunction(t.val)) fail(`function ${JSON.stringify(t.val)} not defined`, t.pos);
        return { type: 'identifier', pos: t.pos, name: t.val };
      case 'dot':
        return { type: 'dot', pos: t.pos };
      case 'nil':
        return { type: 'nil', pos: t.pos };
      case 'variable': {
        const ident = t.val.split('.');
        if (!vars.includes(ident[0]!)) fail(`undefined variable ${JSON.stringify(ident[0])}`, t.pos);
        return { type: 'variable', pos: t.pos, ident } satisfies VariableNode;
      }
      case 'field':
        return { type: 'field', pos: t.pos, ident: [t.val.slice(1)] };
      case 'bool':
        return { type: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'char':
      case 'number':
        return parseNumber(t);
      case 'leftParen':
        return nested(t.pos, 'parenthesized pipelines', () =>
          pipeline('parenthesized pipeline', 'rightParen'),
        );
      case 'string':
      case 'rawString':
        return { type: 'string', pos: t.pos, quoted: t.val, text: unquote(t) } satisfies StringNode;
    }
    i = save;
    return null;
  }

  function unquote(t: Token): string {
    try {
      return goUnquote(t.val);
    } catch (e) {
      return fail((e as Error).message, t.pos);
    }
  }

  function parseNumber(t: Token): NumberNode {
    try {
      return newNumber(t.pos, t.val, t.kind === 'char');
    } catch (e) {
      return fail((e as Error).message, t.pos);
    }
  }
}

function argText(n: ArgNode): string {
  switch (n.type) {
    case 'bool':
      return String(n.value);
    case 'string':
      return n.quoted;
    case 'number':
      return n.text;
    case 'nil':
      return 'nil';
    default:
      return '.';
  }
}

/** IsEmptyTree: only whitespace text and comments. */
export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'comment':
      return true;
    case 'text':
      return n.text.trim() === '' && !/[^ \t\n\r\v\f\u0085\u00a0]/.test(n.text);
    default:
      return false;
  }
}

/** strconv.Unquote for "..." and `...` literals (and '...' chars via unquoteChar). */
export function goUnquote(q: string): string {
  if (q.startsWith('`')) {
    if (!q.endsWith('`') || q.length < 2) throw new Error('invalid syntax');
    return q.slice(1, -1).replaceAll('\r', '');
  }
  if (!q.startsWith('"') || !q.endsWith('"') || q.length < 2) throw new Error('invalid syntax');
  const body = q.slice(1, -1);
  let out = '';
  let k = 0;
  while (k < body.length) {
    const [s, nk] = unquoteChar(body, k, '"');
    out += s;
    k = nk;
  }
  return out;
}

/** Decodes one (possibly escaped) character; returns its text and the next index. */
function unquoteChar(s: string, k: number, quote: string): [string, number] {
  const c = s[k]!;
  if (c === quote && quote !== '`') throw new Error('invalid syntax');
  if (c !== '\\') {
    const cp = s.codePointAt(k)!;
    return [String.fromCodePoint(cp), k + (cp > 0xffff ? 2 : 1)];
  }
  const e = s[k + 1];
  switch (e) {
    case 'a':
      return ['\x07', k + 2];
    case 'b':
      return ['\b', k + 2];
    case 'f':
      return ['\f', k + 2];
    case 'n':
      return ['\n', k + 2];
    case 'r':
      return ['\r', k + 2];
    case 't':
      return ['\t', k + 2];
    case 'v':
      return ['\v', k + 2];
    case '\\':
      return ['\\', k + 2];
    case "'":
    case '"':
      if (e !== quote) throw new Error('invalid syntax');
      return [e, k + 2];
    case 'x':
    case 'u':
    case 'U': {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = s.slice(k + 2, k + 2 + n);
      if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) throw new Error('invalid syntax');
      const v = Number.parseInt(hex, 16);
      if (e === 'x') {
        // A \x escape is one byte; bytes >= 0x80 would be invalid UTF-8 on their own.
        return [v < 0x80 ? String.fromCharCode(v) : '\ufffd', k + 2 + n];
      }
      if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new Error('invalid syntax');
      return [String.fromCodePoint(v), k + 2 + n];
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      const oct = s.slice(k + 1, k + 4);
      if (!/^[0-7]{3}$/.test(oct)) throw new Error('invalid syntax');
      const v = Number.parseInt(oct, 8);
      if (v > 255) throw new Error('invalid syntax');
      return [v < 0x80 ? String.fromCharCode(v) : '\ufffd', k + 4];
    }
    default:
      throw new Error('invalid syntax');
  }
}

/** parse.newNumber: classifies a number literal the way Go does. */
export function newNumber(pos: number, text: string, isChar: boolean): NumberNode {
  const n: NumberNode = {
    type: 'number',
    pos,
    text,
    isInt: false,
    isUint: false,
    isFloat: false,
    int: 0n,
    float: 0,
  };
  if (isChar) {
    const body = text.slice(1, -1);
    let ch: string;
    let next: number;
    try {
      [ch, next] = unquoteChar(body, 0, "'");
    } catch {
      throw new Error(`malformed character constant: ${text}`);
    }
    if (next !== body.length || body.length === 0) throw new Error(`malformed character constant: ${text}`);
    const r = ch.codePointAt(0)!;
    n.isInt = n.isUint = n.isFloat = true;
    n.int = BigInt(r);
    n.float = r;
    return n;
  }
  if (text.endsWith('i')) throw new Error(`complex constants are not supported: ${text}`);
  const u = parseGoInt(text, false);
  const s = parseGoInt(text, true);
  if (s !== null) {
    n.isInt = true;
    n.int = s;
    n.isUint = s >= 0n;
  } else if (u !== null) {
    n.isUint = true;
    n.int = u;
  }
  if (n.isInt || n.isUint) {
    n.isFloat = true;
    n.float = Number(n.int);
  } else {
    const f = parseGoFloat(text);
    if (f !== null) {
      if (!/[.eEpP]/.test(text)) throw new Error(`integer overflow: ${text}`);
      n.isFloat = true;
      n.float = f;
      if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
        n.isInt = true;
        n.int = BigInt(f);
        n.isUint = f >= 0;
      }
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) throw new Error(`illegal number syntax: ${JSON.stringify(text)}`);
  return n;
}

/** strconv.ParseInt/ParseUint(text, 0, 64); null when it does not parse. */
function parseGoInt(text: string, signed: boolean): bigint | null {
  let s = text;
  let neg = false;
  if (signed && (s[0] === '+' || s[0] === '-')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  let base = 10;
  let digits = s;
  let prefixed = false;
  if (/^0[xX]/.test(s)) {
    base = 16;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0[oO]/.test(s)) {
    base = 8;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0[bB]/.test(s)) {
    base = 2;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0./.test(s)) {
    base = 8;
    digits = s.slice(1);
    prefixed = true;
  }
  if (digits.includes('_')) {
    // Underscores only between digits, or right after a base prefix.
    const check = (prefixed ? '0' : '') + digits;
    if (/__|_$|^_/.test(check)) return null;
    digits = digits.replaceAll('_', '');
  }
  if (digits === '') return null;
  const valid = { 16: /^[0-9a-fA-F]+$/, 10: /^[0-9]+$/, 8: /^[0-7]+$/, 2: /^[01]+$/ }[base]!;
  if (!valid.test(digits)) return null;
  let v = 0n;
  const b = BigInt(base);
  for (const d of digits) v = v * b + BigInt(Number.parseInt(d, 16));
  if (neg) v = -v;
  if (signed ? v > 2n ** 63n - 1n || v < -(2n ** 63n) : v > 2n ** 64n - 1n) return null;
  return v;
}

function parseGoFloat(text: string): number | null {
  let s = text;
  if (s.includes('_')) {
    if (/__|_$|^[+-]?_|_\.|\._|_[eEpP]|[eEpP]_/.test(s)) return null;
    s = s.replaceAll('_', '');
  }
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (hex) {
    const [, sign, int = '', frac = '', exp] = hex;
    if (int === '' && frac === '') return null;
    const mant = Number.parseInt(int + frac || '0', 16);
    const f = mant * 2 ** (Number(exp) - 4 * frac.length);
    return Number.isFinite(f) ? (sign === '-' ? -f : f) : null;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  const f = Number(s);
  return Number.isFinite(f) ? f : null;
}
