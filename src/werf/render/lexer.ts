// Lexer for Go text/template syntax. Produces the same token stream as Go's
// text/template/parse lexer: text, delimiters with {{- -}} trimming, comments,
// and the words inside actions.

export type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'comment'
  | 'eof'
  | 'error'
  | 'bool'
  | 'char'
  | 'number'
  | 'string'
  | 'rawString'
  | 'identifier'
  | 'field'
  | 'variable'
  | 'dot'
  | 'nil'
  | 'keyword'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare'
  | 'assign'
  | 'space'
  | 'char'
  | 'comma';

export interface Token {
  kind: TokenKind;
  val: string;
  /** Offset of the token in the template text. */
  pos: number;
  /** 1-based line of the token start. */
  line: number;
}

export const keywords = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'range',
  'nil',
  'template',
  'with',
]);

const spaceChars = ' \t\r\n';
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const unicodeWordChar = /[\p{L}\p{Nd}]/u;
function isAlphaNumeric(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 0x80) {
    return (
      (code >= 0x61 && code <= 0x7a) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x30 && code <= 0x39) ||
      code === 0x5f
    );
  }
  return unicodeWordChar.test(c);
}

const leftDelim = '{{';
const rightDelim = '}}';

/** Lexes the whole template into tokens; a lexing error becomes a final 'error' token. */
export function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  let parenDepth = 0;

  const emit = (kind: TokenKind, val = input.slice(start, pos)) => {
    tokens.push({ kind, val, pos: start, line: startLine });
    start = pos;
    startLine = line;
  };
  const ignore = () => {
    line += count(input, start, pos);
    start = pos;
    startLine = line;
  };
  const fail = (msg: string) => {
    tokens.push({ kind: 'error', val: msg, pos: start, line: startLine });
  };
  const hasLeftTrimMarker = (at: number) => input[at] === '-' && isSpace(input[at + 1]);
  const hasRightTrimMarker = (at: number) => isSpace(input[at]) && input[at + 1] === '-';
  const atRightDelim = (): [boolean, boolean] => {
    if (hasRightTrimMarker(pos) && input.startsWith(rightDelim, pos + 2)) return [true, true];
    if (input.startsWith(rightDelim, pos)) return [true, false];
    return [false, false];
  };

  for (;;) {
    // Text up to the next left delimiter.
    const x = input.indexOf(leftDelim, pos);
    if (x < 0) {
      pos = input.length;
      if (pos > start) {
        const s = start;
        const l = startLine;
        line += count(input, start, pos);
        tokens.push({ kind: 'text', val: input.slice(s, pos), pos: s, line: l });
      }
      tokens.push({ kind: 'eof', val: '', pos, line });
      return tokens;
    }
    if (x > pos || x > start) {
      pos = x;
      let trimLength = 0;
      if (hasLeftTrimMarker(x + leftDelim.length)) {
        const text = input.slice(start, pos);
        trimLength = text.length - trimRightSpace(text).length;
      }
      const textEnd = pos - trimLength;
      if (textEnd > start) {
        tokens.push({ kind: 'text', val: input.slice(start, textEnd), pos: start, line: startLine });
      }
      line += count(input, start, pos);
      start = pos;
      startLine = line;
    }
    // Left delimiter.
    pos += leftDelim.length;
    const trim = hasLeftTrimMarker(pos);
    const afterMarker = trim ? 2 : 0;
    if (input.startsWith('/*', pos + afterMarker)) {
      // Comment: ends at */ immediately followed by the right delimiter.
      pos += afterMarker;
      ignore();
      pos += 2;
      const end = input.indexOf('*/', pos);
      if (end < 0) {
        fail('unclosed comment');
        return tokens;
      }
      pos = end + 2;
      const [delim, trimSpaces] = atRightDelim();
      if (!delim) {
        fail('comment ends before closing delimiter');
        return tokens;
      }
      emit('comment');
      if (trimSpaces) pos += 2;
      pos += rightDelim.length;
      if (trimSpaces) pos += leadingSpace(input, pos);
      ignore();
      continue;
    }
    emit('leftDelim', leftDelim);
    pos += afterMarker;
    ignore();
    parenDepth = 0;
    // Inside the action.
    let closed = false;
    while (!closed) {
      const [delim, trimSpaces] = atRightDelim();
      if (delim) {
        if (parenDepth !== 0) {
          fail('unclosed left paren');
          return tokens;
        }
        if (trimSpaces) {
          pos += 2;
          ignore();
        }
        pos += rightDelim.length;
        emit('rightDelim', rightDelim);
        if (trimSpaces) {
          pos += leadingSpace(input, pos);
          ignore();
        }
        closed = true;
        break;
      }
      const c = input[pos];
      if (c === undefined) {
        fail('unclosed action');
        return tokens;
      }
      if (isSpace(c)) {
        // Spaces separate arguments; a space followed by -}} is a trim marker.
        while (isSpace(input[pos])) {
          if (hasRightTrimMarker(pos) && input.startsWith(rightDelim, pos + 2)) break;
          pos++;
        }
        if (hasRightTrimMarker(pos) && input.startsWith(rightDelim, pos + 2) && pos === start) {
          continue;
        }
        line += count(input, start, pos);
        emit('space');
        continue;
      }
      pos++;
      switch (c) {
        case '=':
          emit('assign');
          continue;
        case ':':
          if (input[pos] !== '=') {
            fail('expected :=');
            return tokens;
          }
          pos++;
          emit('declare');
          continue;
        case '|':
          emit('pipe');
          continue;
        case '"': {
          for (;;) {
            const d = input[pos++];
            if (d === '\\') {
              if (input[pos] !== undefined && input[pos] !== '\n') {
                pos++;
                continue;
              }
              fail('unterminated quoted string');
              return tokens;
            }
            if (d === undefined || d === '\n') {
              fail('unterminated quoted string');
              return tokens;
            }
            if (d === '"') break;
          }
          emit('string');
          continue;
        }
        case '`': {
          const end = input.indexOf('`', pos);
          if (end < 0) {
            fail('unterminated raw quoted string');
            return tokens;
          }
          pos = end + 1;
          line += count(input, start, pos);
          emit('rawString');
          continue;
        }
        case "'": {
          for (;;) {
            const d = input[pos++];
            if (d === '\\') {
              if (input[pos] !== undefined && input[pos] !== '\n') {
                pos++;
                continue;
              }
              fail('unterminated character constant');
              return tokens;
            }
            if (d === undefined || d === '\n') {
              fail('unterminated character constant');
              return tokens;
            }
            if (d === "'") break;
          }
          emit('char');
          continue;
        }
        case '$': {
          while (isAlphaNumeric(input[pos])) pos++;
          emit('variable');
          continue;
        }
        case '(':
          emit('leftParen');
          parenDepth++;
          continue;
        case ')':
          parenDepth--;
          if (parenDepth < 0) {
            fail('unexpected right paren');
            return tokens;
          }
          emit('rightParen');
          continue;
        case ',':
          emit('comma');
          continue;
        case '.': {
          // Special look-ahead for ".field" so we don't break l.backup().
          const n = input[pos];
          if (n === undefined || n < '0' || n > '9') {
            // field or dot
            if (!isAlphaNumeric(n)) {
              emit('dot', '.');
              continue;
            }
            while (isAlphaNumeric(input[pos])) pos++;
            if (!atTerminator(input, pos)) {
              fail(`bad character ${formatRune(input.codePointAt(pos)!)}`);
              return tokens;
            }
            emit('field');
            continue;
          }
          pos--;
          if (!scanNumber()) return tokens;
          continue;
        }
        default:
          break;
      }
      if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
        pos--;
        if (!scanNumber()) return tokens;
        continue;
      }
      if (isAlphaNumeric(c)) {
        while (isAlphaNumeric(input[pos])) pos++;
        const word = input.slice(start, pos);
        if (!atTerminator(input, pos)) {
          fail(`bad character ${formatRune(input.codePointAt(pos)!)}`);
          return tokens;
        }
        if (keywords.has(word)) emit(word === 'nil' ? 'nil' : 'keyword');
        else if (word === 'true' || word === 'false') emit('bool');
        else emit('identifier');
        continue;
      }
      if (c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdbff) pos++;
      fail(`unrecognized character in action: ${formatRune(input.codePointAt(pos - c.length)!)}`);
      return tokens;
    }
  }

  function scanNumber(): boolean {
    // Optional sign, base prefix, digits with underscores, fraction, exponent, imaginary suffix.
    if (input[pos] === '+' || input[pos] === '-') pos++;
    let digits = '0123456789_';
    if (input[pos] === '0' && /[xXoObB]/.test(input[pos + 1] ?? '')) {
      const b = input[pos + 1]!.toLowerCase();
      pos += 2;
      digits = b === 'x' ? '0123456789abcdefABCDEF_' : b === 'o' ? '01234567_' : '01_';
    }
    const accept = (set: string) => {
      if (input[pos] !== undefined && set.includes(input[pos]!)) {
        pos++;
        return true;
      }
      return false;
    };
    const acceptRun = (set: string) => {
      while (input[pos] !== undefined && set.includes(input[pos]!)) pos++;
    };
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (isAlphaNumeric(input[pos])) {
      pos++;
      fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
      return false;
    }
    emit('number');
    return true;
  }
}

function atTerminator(input: string, pos: number): boolean {
  const r = input[pos];
  if (r === undefined || isSpace(r)) return true;
  switch (r) {
    case '.':
    case ',':
    case '|':
    case ':':
    case ')':
    case '(':
      return true;
  }
  return input.startsWith(rightDelim, pos);
}

function count(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

function trimRightSpace(s: string): string {
  let end = s.length;
  while (end > 0 && spaceChars.includes(s[end - 1]!)) end--;
  return s.slice(0, end);
}

function leadingSpace(s: string, from: number): number {
  let i = from;
  while (i < s.length && spaceChars.includes(s[i]!)) i++;
  return i - from;
}

/** Go's %#U formatting of a rune, used in lexer errors. */
export function formatRune(cp: number): string {
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return `U+${hex} '${String.fromCodePoint(cp)}'`;
}
