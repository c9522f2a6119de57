// Parse tree of a Go text/template, mirroring text/template/parse's nodes.

export interface Pos {
  /** Offset in the template text. */
  pos: number;
}

export type Node =
  | TextNode
  | ActionNode
  | IfNode
  | WithNode
  | RangeNode
  | TemplateNode
  | BreakNode
  | ContinueNode
  | ListNode
  | CommentNode;

export interface ListNode extends Pos {
  type: 'list';
  nodes: Node[];
}
export interface TextNode extends Pos {
  type: 'text';
  text: string;
}
export interface CommentNode extends Pos {
  type: 'comment';
}
export interface ActionNode extends Pos {
  type: 'action';
  pipe: PipeNode;
}
export interface ControlNode extends Pos {
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface IfNode extends ControlNode {
  type: 'if';
}
export interface WithNode extends ControlNode {
  type: 'with';
}
export interface RangeNode extends ControlNode {
  type: 'range';
}
export interface TemplateNode extends Pos {
  type: 'template';
  name: string;
  pipe: PipeNode | null;
}
export interface BreakNode extends Pos {
  type: 'break';
}
export interface ContinueNode extends Pos {
  type: 'continue';
}

export interface PipeNode extends Pos {
  type: 'pipe';
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends Pos {
  type: 'command';
  args: ArgNode[];
}

export type ArgNode =
  | FieldNode
  | ChainNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;

export interface FieldNode extends Pos {
  type: 'field';
  ident: string[];
}
export interface ChainNode extends Pos {
  type: 'chain';
  node: ArgNode;
  fields: string[];
}
export interface IdentifierNode extends Pos {
  type: 'identifier';
  name: string;
}
export interface VariableNode extends Pos {
  type: 'variable';
  ident: string[];
}
export interface DotNode extends Pos {
  type: 'dot';
}
export interface NilNode extends Pos {
  type: 'nil';
}
export interface BoolNode extends Pos {
  type: 'bool';
  value: boolean;
}
export interface NumberNode extends Pos {
  type: 'number';
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  int: bigint;
  float: number;
}
export interface StringNode extends Pos {
  type: 'string';
  quoted: string;
  text: string;
}

/** Go's String() of an argument node, used in error messages. */
export function nodeText(n: ArgNode | CommandNode): string {
  switch (n.type) {
    case 'field':
      return n.ident.map((i) => '.' + i).join('');
    case 'chain': {
      const inner = n.node.type === 'pipe' ? `(${nodeText(n.node)})` : nodeText(n.node);
      return inner + n.fields.map((f) => '.' + f).join('');
    }
    case 'identifier':
      return n.name;
    case 'variable':
      return n.ident.join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeText(a)})` : nodeText(a))).join(' ');
    case 'pipe': {
      const decl = n.decl.length
        ? n.decl.map((d) => nodeText(d)).join(', ') + (n.isAssign ? ' = ' : ' := ')
        : '';
      return decl + n.cmds.map((c) => nodeText(c)).join(' | ');
    }
  }
}
