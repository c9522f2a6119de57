// Executor for parsed Go templates, following text/template's exec.go:
// variable scoping, pipelines, field chains on maps and objects, function
// calls with Go's argument type checks, range/with/if, template calls, and
// the bounds that keep hostile templates from hanging or exhausting memory.
import type {
  ArgNode,
  CommandNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  RangeNode,
  TemplateNode,
} from './ast.js';
import { nodeText } from './ast.js';
import { compareGoStrings, formatValue } from './gofmt.js';
import type { Limits } from './limits.js';
import type { ParsedTemplate, TemplateSource } from './parser.js';
import {
  GoInt,
  type GoMethod,
  GoObject,
  goTypeName,
  isTrue,
  mapType,
  type ParamType,
  sliceType,
  type Value,
} from './values.js';

/** A template function: Go signature (for argument checks) plus implementation. */
export interface TemplateFunc extends GoMethod {
  call(args: Value[], ctx?: CallContext): Value;
}

export interface CallContext {
  state: ExecState;
}

/** An error while executing, at an offset in a template source. */
export class ExecError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(
    message: string,
    readonly source: TemplateSource,
    readonly pos: number,
  ) {
    super(message);
    const lc = lineColumn(source.text, pos);
    this.line = lc.line;
    this.column = lc.column;
  }
  /** "file:line:col: message", as nested errors quote it. */
  get located(): string {
    return `${this.source.file}:${this.line}:${this.column}: ${this.message}`;
  }
}

/** An error a function reports; the executor turns it into "error calling NAME: ...". */
export class FuncError extends Error {}

/** A limit was hit; never wrapped or caught by template constructs. */
export class LimitError extends Error {}

/** Shared state of one render: templates, functions, limits, counters. */
export class ExecState {
  steps = 0;
  written = 0;
  depth = 0;
  /** Where execution is; reported when a bound is hit. */
  position: { source: TemplateSource; pos: number } | undefined;
  readonly deadline: number;
  constructor(
    readonly templates: Map<string, ParsedTemplate>,
    readonly funcs: { get(name: string): TemplateFunc | undefined },
    readonly limits: Limits,
  ) {
    this.deadline = Date.now() + limits.maxMillis;
  }

  /** Counts one unit of work; enforces the step and time bounds. */
  step(): void {
    this.steps++;
    if (this.steps > this.limits.maxSteps) {
      throw new LimitError(
        `template execution exceeded ${this.limits.maxSteps} steps (range iterations and actions); is there an endless loop?`,
      );
    }
    if ((this.steps & 1023) === 0 && Date.now() > this.deadline) {
      throw new LimitError(`template execution took longer than ${this.limits.maxMillis} ms`);
    }
  }

  /** Accounts for text produced; enforces the output bound. */
  produced(n: number): void {
    this.written += n;
    if (this.written > this.limits.maxOutputChars) {
      throw new LimitError(`template output exceeds ${this.limits.maxOutputChars} characters`);
    }
  }

  /** Executes template `name` with `data` into a string (include / ExecuteTemplate). */
  executeTemplate(name: string, data: Value | undefined): string {
    const tmpl = this.templates.get(name);
    if (!tmpl) throw new FuncError(`template: no template ${JSON.stringify(name)} associated with template`);
    if (this.depth >= this.limits.maxDepth) {
      throw new LimitError(
        `template calls nested deeper than ${this.limits.maxDepth} (include/tpl/template recursion?)`,
      );
    }
    this.depth++;
    try {
      const ex = new Executor(this, tmpl);
      // ExecuteTemplate(w, name, nil) runs with an invalid dot, not a nil interface.
      return ex.run(data === null ? undefined : data);
    } finally {
      this.depth--;
    }
  }
}

const MISSING = Symbol('missing');
type Final = Value | undefined | typeof MISSING;
/** Go's invalid reflect.Value (a missing map key) is `undefined`; Go nil is `null`. */
type Val = Value | undefined;

const BREAK = 1;
const CONTINUE = 2;

class Executor {
  private vars: { name: string; value: Val }[] = [];
  private out: string[] = [];
  private readonly source: TemplateSource;
  private at = 0;

  constructor(
    private readonly state: ExecState,
    private readonly tmpl: ParsedTemplate,
  ) {
    this.source = tmpl.source;
  }

  run(data: Val): string {
    this.vars = [{ name: '$', value: data }];
    this.walk(data, this.tmpl.root);
    return this.out.join('');
  }

  private fail(msg: string, pos = this.at): never {
    throw new ExecError(msg, this.source, pos);
  }

  private write(s: string): void {
    this.state.produced(s.length);
    this.out.push(s);
  }

  private walk(dot: Val, node: Node): number {
    this.at = node.pos;
    this.state.position = { source: this.source, pos: node.pos };
    this.state.step();
    switch (node.type) {
      case 'action': {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(v);
        return 0;
      }
      case 'break':
        return BREAK;
      case 'continue':
        return CONTINUE;
      case 'comment':
        return 0;
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        try {
          const v = this.evalPipeline(dot, node.pipe);
          if (isTrue(v ?? null)) return this.walk(node.type === 'with' ? v : dot, node.list);
          if (node.elseList) return this.walk(dot, node.elseList);
          return 0;
        } finally {
          this.vars.length = mark;
        }
      }
      case 'list':
        for (const n of node.nodes) {
          const r = this.walk(dot, n);
          if (r) return r;
        }
        return 0;
      case 'range':
        this.walkRange(dot, node);
        return 0;
      case 'template':
        this.walkTemplate(dot, node);
        return 0;
      case 'text':
        this.write(node.text);
        return 0;
    }
  }

  private walkRange(dot: Val, r: RangeNode): void {
    const mark = this.vars.length;
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const inner = this.vars.length;
      const decl = r.pipe.decl;
      const one = (index: Val, elem: Val): number => {
        this.state.step();
        if (decl.length > 0) {
          if (r.pipe.isAssign) {
            this.setVar(decl[0]!.ident[0]!, decl.length > 1 ? index : elem);
          } else {
            this.vars[this.vars.length - 1]!.value = elem;
          }
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem);
          else this.vars[this.vars.length - 2]!.value = index;
        }
        try {
          return this.walk(elem, r.list);
        } finally {
          this.vars.length = inner;
        }
      };
      let ran = false;
      if (typeof val === 'bigint' || val instanceof GoInt) {
        if (decl.length > 1)
          this.fail(`can't use ${formatValue(val)} to iterate over more than one variable`);
        const n = typeof val === 'bigint' ? val : val.v;
        for (let i = 0n; i < n; i++) {
          ran = true;
          if (one(undefined, typeof val === 'bigint' ? i : new GoInt(val.type, i)) === BREAK) break;
        }
      } else if (Array.isArray(val)) {
        for (let i = 0; i < val.length; i++) {
          ran = true;
          if (one(BigInt(i), val[i]!) === BREAK) break;
        }
      } else if (val instanceof Map) {
        const keys = [...val.keys()].sort(compareGoStrings);
        for (const k of keys) {
          ran = true;
          if (one(k, val.get(k)!) === BREAK) break;
        }
      } else if (val === undefined || val === null) {
        // A nil value acts like an empty map.
      } else {
        this.at = r.pos;
        this.fail(`range can't iterate over ${formatValue(val)}`);
      }
      if (!ran && r.elseList) this.walk(dot, r.elseList);
    } finally {
      this.vars.length = mark;
    }
  }

  private walkTemplate(dot: Val, t: TemplateNode): void {
    this.at = t.pos;
    const tmpl = this.state.templates.get(t.name);
    if (!tmpl) this.fail(`template ${JSON.stringify(t.name)} not defined`);
    const data = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    if (this.state.depth >= this.state.limits.maxDepth) {
      throw new LimitError(
        `template calls nested deeper than ${this.state.limits.maxDepth} (include/tpl/template recursion?)`,
      );
    }
    this.state.depth++;
    try {
      const ex = new Executor(this.state, tmpl);
      ex.vars = [{ name: '$', value: data }];
      ex.out = this.out;
      ex.walk(data, tmpl.root);
    } finally {
      this.state.depth--;
    }
  }

  private evalPipeline(dot: Val, pipe: PipeNode | null): Val {
    if (!pipe) return undefined;
    this.at = pipe.pos;
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // Go digs into an interface{} result: a nil interface becomes the invalid value.
      if (value === null) value = undefined;
    }
    const v = value === MISSING ? undefined : value;
    for (const d of pipe.decl) {
      if (pipe.isAssign) this.setVar(d.ident[0]!, v);
      else this.vars.push({ name: d.ident[0]!, value: v });
    }
    return v;
  }

  private setVar(name: string, value: Val): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private varValue(name: string): Val {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    }
    return this.fail(`undefined variable: ${name}`);
  }

  private notAFunction(args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      this.fail(`can't give argument to non-function ${nodeText(args[0]!)}`);
    }
  }

  private evalCommand(dot: Val, cmd: CommandNode, final: Final): Val {
    const first = cmd.args[0]!;
    this.state.step();
    switch (first.type) {
      case 'field':
        this.at = first.pos;
        return this.evalFieldChain(dot, dot, first.ident, cmd.args, final);
      case 'chain': {
        this.at = first.pos;
        if (first.node.type === 'nil') this.fail(`indirection through explicit nil in ${nodeText(first)}`);
        const recv = this.evalArg(dot, null, first.node);
        return this.evalFieldChain(dot, recv, first.fields, cmd.args, final);
      }
      case 'identifier':
        return this.evalFunction(dot, first.name, first.pos, cmd.args, final);
      case 'pipe':
        this.at = first.pos;
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariable(dot, first.ident, first.pos, cmd.args, final);
    }
    this.at = first.pos;
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.fail('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  private idealConstant(n: NumberNode): Value {
    this.at = n.pos;
    const isHexInt = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.isFloat && !isHexInt && !n.text.startsWith("'") && /[.eEpP]/.test(n.text)) return n.float;
    if (n.isInt) return n.int;
    if (n.isUint) return this.fail(`${n.text} overflows int`);
    return null;
  }

  private evalVariable(dot: Val, ident: string[], pos: number, args: ArgNode[], final: Final): Val {
    this.at = pos;
    const value = this.varValue(ident[0]!);
    if (ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, ident.slice(1), args, final);
  }

  private evalFieldChain(dot: Val, receiver: Val, ident: string[], args: ArgNode[], final: Final): Val {
    let r = receiver;
    for (let i = 0; i < ident.length - 1; i++) r = this.evalField(dot, ident[i]!, [], MISSING, r);
    return this.evalField(dot, ident[ident.length - 1]!, args.slice(1), final, r);
  }

  /** (.Field) or (.Method arg...) on receiver; `args` excludes the field itself. */
  private evalField(dot: Val, name: string, args: ArgNode[], final: Final, receiver: Val): Val {
    if (receiver === undefined) return undefined;
    const pos = this.at;
    if (receiver === null) this.fail(`nil pointer evaluating interface {}.${name}`);
    if (receiver instanceof GoObject) {
      const m = receiver.methods[name];
      if (m) return this.evalCall(dot, m, false, name, args, final, pos);
      if (Object.hasOwn(receiver.fields, name)) {
        if (args.length > 0 || final !== MISSING) {
          this.fail(`${name} has arguments but cannot be invoked as function`);
        }
        return receiver.fields[name]!;
      }
      return this.fail(`can't evaluate field ${name} in type ${receiver.typeName}`);
    }
    if (receiver instanceof Map) {
      if (args.length > 0 || final !== MISSING) this.fail(`${name} is not a method but has arguments`);
      return receiver.has(name) ? receiver.get(name)! : undefined;
    }
    return this.fail(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  private evalFunction(dot: Val, name: string, pos: number, args: ArgNode[], final: Final): Val {
    this.at = pos;
    const fn = this.state.funcs.get(name);
    if (!fn) return this.fail(`${JSON.stringify(name)} is not a defined function`);
    return this.evalCall(dot, fn, true, name, args.slice(1), final, pos);
  }

  private evalCall(
    dot: Val,
    fn: GoMethod,
    isFunc: boolean,
    name: string,
    args: ArgNode[],
    final: Final,
    pos: number,
  ): Val {
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    const numFixed = fn.params.length;
    if (fn.variadic) {
      if (numIn < numFixed) {
        this.fail(`wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`, pos);
      }
    } else if (numIn !== numFixed) {
      this.fail(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`, pos);
    }
    // and/or evaluate lazily and return the deciding argument itself.
    if (isFunc && (name === 'and' || name === 'or') && (fn as BuiltinMarker).shortCircuit) {
      let v: Val;
      for (const a of args) {
        v = this.evalArg(dot, 'value', a);
        if (isTrue(v ?? null) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const argv: Value[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++)
      argv.push(this.evalArg(dot, fn.params[i]!, args[i]!) ?? null);
    if (fn.variadic) for (; i < args.length; i++) argv.push(this.evalArg(dot, fn.variadic, args[i]!) ?? null);
    if (final !== MISSING) {
      const t = numIn - 1 < numFixed ? fn.params[numIn - 1]! : fn.variadic!;
      this.at = pos;
      argv.push(this.validate(final, t) ?? null);
    }
    this.at = pos;
    try {
      const r = (fn as TemplateFunc).call(argv, { state: this.state });
      // Bound every intermediate value, not only what is written: a string
      // doubled in a loop would otherwise exhaust memory before any output.
      if (typeof r === 'string' && r.length > this.state.limits.maxOutputChars) {
        throw new LimitError(`result of ${name} longer than ${this.state.limits.maxOutputChars} characters`);
      }
      if (Array.isArray(r) && r.length > this.state.limits.maxListItems) {
        throw new LimitError(`result of ${name} has more than ${this.state.limits.maxListItems} items`);
      }
      return r;
    } catch (e) {
      if (e instanceof LimitError) throw e;
      if (e instanceof RangeError && /Invalid string length|Invalid array length/.test(e.message)) {
        throw new LimitError(`result of ${name} too large`);
      }
      if (e instanceof ExecError) this.fail(`error calling ${name}: ${e.located}`, pos);
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        throw new LimitError('template recursion too deep (JavaScript stack exhausted)');
      }
      const msg = e instanceof Error ? e.message : String(e);
      return this.fail(`error calling ${name}: ${msg}`, pos);
    }
  }

  private evalArg(dot: Val, type: ParamType | null, n: ArgNode): Val {
    this.at = n.pos;
    switch (n.type) {
      case 'dot':
        return this.validate(dot, type);
      case 'nil':
        if (type === null || canBeNil(type)) return null;
        return this.fail(`cannot assign nil to ${type}`);
      case 'field':
        return this.validate(this.evalFieldChain(dot, dot, n.ident, [n], MISSING), type);
      case 'variable':
        return this.validate(this.evalVariable(dot, n.ident, n.pos, [n], MISSING), type);
      case 'pipe':
        return this.validate(this.evalPipeline(dot, n), type);
      case 'identifier':
        return this.validate(this.evalFunction(dot, n.name, n.pos, [n], MISSING), type);
      case 'chain':
        return this.validate(
          this.evalCommand(dot, { type: 'command', pos: n.pos, args: [n] }, MISSING),
          type,
        );
    }
    switch (type) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        return this.fail(`expected bool; found ${nodeText(n)}`);
      case 'float64':
        if (n.type === 'number' && n.isFloat) return n.float;
        return this.fail(`expected float; found ${nodeText(n)}`);
      case 'int':
        if (n.type === 'number' && n.isInt) return n.int;
        return this.fail(`expected integer; found ${nodeText(n)}`);
      case 'int64':
        if (n.type === 'number' && n.isInt) return new GoInt('int64', n.int);
        return this.fail(`expected integer; found ${nodeText(n)}`);
      case 'string':
        if (n.type === 'string') return n.text;
        return this.fail(`expected string; found ${nodeText(n)}`);
      case null:
      case 'any':
      case 'value':
        if (n.type === 'bool') return n.value;
        if (n.type === 'number') return this.idealConstant(n);
        return n.text;
      default:
        return this.fail(`can't handle ${nodeText(n)} for arg of type ${type}`);
    }
  }

  /** validateType: the value must be assignable to the parameter type. */
  private validate(v: Val, type: ParamType | null): Val {
    if (v === undefined || v === null) {
      if (type === null) return v;
      if (canBeNil(type)) return null;
      if (v === undefined) return this.fail(`invalid value; expected ${type}`);
      return this.fail(`wrong type for value; expected ${type}; got interface {}`);
    }
    if (type === null || type === 'any' || type === 'value') return v;
    let ok: boolean;
    switch (type) {
      case 'string':
        ok = typeof v === 'string';
        break;
      case 'bool':
        ok = typeof v === 'boolean';
        break;
      case 'int':
        ok = typeof v === 'bigint';
        break;
      case 'int64':
        ok = v instanceof GoInt && v.type === 'int64';
        break;
      case 'float64':
        ok = typeof v === 'number';
        break;
      case '[]interface {}':
      case '[]string':
        ok = Array.isArray(v) && sliceType(v) === type;
        break;
      case 'map[string]interface {}':
        ok = v instanceof Map && mapType(v) === type;
        break;
    }
    if (!ok) this.fail(`wrong type for value; expected ${type}; got ${goTypeName(v)}`);
    return v;
  }

  private printValue(v: Val): void {
    this.write(v === undefined || v === null ? '<no value>' : formatValue(v));
  }
}

/** Marks the builtin and/or, which the executor evaluates lazily. */
export interface BuiltinMarker {
  shortCircuit?: boolean;
}

function canBeNil(t: ParamType): boolean {
  return t === 'any' || t === 'value' || t.startsWith('[]') || t.startsWith('map[');
}

/** 1-based line and column (in characters) of an offset. */
export function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: pos - lineStart + 1 };
}

export type { ListNode };
