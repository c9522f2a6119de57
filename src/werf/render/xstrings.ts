// Case conversions of huandu/xstrings v1.5 as sprig exposes them: snakecase,
// kebabcase (camelCaseToLowerCase) and camelcase (ToPascalCase). The word
// splitting rules are reproduced so results match werf exactly.

type WordType = 'number' | 'upper' | 'alphabet' | 'connector' | 'punct' | 'other' | 'none';

const isConnector = (c: string): boolean => c === '-' || c === '_' || /^\s$/u.test(c);
const isUpper = (c: string): boolean => /^\p{Lu}$/u.test(c);
const isPunct = (c: string): boolean => /^\p{P}$/u.test(c);
const isNumber = (c: string): boolean => /^\p{N}$/u.test(c);
function isAlphabet(c: string): boolean {
  if (!/^\p{L}$/u.test(c)) return false;
  const r = c.codePointAt(0)!;
  if (r < 0x3400) return true;
  if (r >= 0x4e00 && r <= 0x9fcc) return false;
  if (r >= 0x3400 && r <= 0x4d85) return false;
  if (r >= 0x20000 && r <= 0x2b81d) return false;
  return true;
}

interface Word {
  type: WordType;
  text: string;
}

/** Splits off the next word of `chars` starting at `at`; returns it and the next index. */
function nextWord(chars: string[], at: number): [Word, number] {
  if (at >= chars.length) return [{ type: 'none', text: '' }, at];
  const r = chars[at]!;
  let end = at + 1;
  let type: WordType;
  if (isConnector(r)) {
    type = 'connector';
    while (end < chars.length && isConnector(chars[end]!)) end++;
  } else if (isPunct(r)) {
    type = 'punct';
    while (end < chars.length && isPunct(chars[end]!)) end++;
  } else if (isUpper(r)) {
    type = 'upper';
    if (end < chars.length) {
      const n = chars[end]!;
      if (isUpper(n)) {
        while (end < chars.length && isUpper(chars[end]!)) end++;
        // "HTTPServer": the last capital starts the next word.
        if (end < chars.length && isAlphabet(chars[end]!)) end--;
      } else if (isAlphabet(n)) {
        while (end < chars.length && isAlphabet(chars[end]!) && !isUpper(chars[end]!)) end++;
      }
    }
  } else if (isAlphabet(r)) {
    type = 'alphabet';
    while (end < chars.length && isAlphabet(chars[end]!) && !isUpper(chars[end]!)) end++;
  } else if (isNumber(r)) {
    type = 'number';
    while (end < chars.length && isNumber(chars[end]!)) end++;
  } else {
    type = 'other';
    while (end < chars.length) {
      const c = chars[end]!;
      if (isConnector(c) || isAlphabet(c) || isNumber(c) || isPunct(c)) break;
      end++;
    }
  }
  return [{ type, text: chars.slice(at, end).join('') }, end];
}

function lowerWord(w: Word, connector: string): string {
  if (w.type !== 'upper' && w.type !== 'connector') return w.text;
  let out = '';
  for (const c of w.text) out += isConnector(c) ? connector : isUpper(c) ? c.toLowerCase() : c;
  return out;
}

/** xstrings camelCaseToLowerCase (ToSnakeCase with '_', ToKebabCase with '-'). */
export function camelToLower(s: string, connector: string): string {
  if (s === '') return '';
  const chars = [...s];
  let out = '';
  let [w, i] = nextWord(chars, 0);
  while (i < chars.length) {
    if (w.type !== 'connector') out += lowerWord(w, connector);
    const prev = w;
    [w, i] = nextWord(chars, i);
    switch (prev.type) {
      case 'number':
        while (w.type === 'alphabet' || w.type === 'number') {
          out += lowerWord(w, connector);
          [w, i] = nextWord(chars, i);
        }
        if (w.type !== 'none' && w.type !== 'punct' && w.type !== 'connector') out += connector;
        break;
      case 'connector':
        out += lowerWord(prev, connector);
        break;
      case 'punct':
        break;
      default: {
        if (w.type !== 'number') {
          if (w.type !== 'connector' && w.type !== 'punct') out += connector;
          break;
        }
        if (i >= chars.length) break;
        const last = w;
        [w, i] = nextWord(chars, i);
        if (w.type !== 'alphabet') {
          out += lowerWord({ type: 'number', text: last.text }, connector);
          if (w.type !== 'connector' && w.type !== 'punct') out += connector;
          break;
        }
        out += connector + last.text;
        while (w.type === 'alphabet' || w.type === 'number') {
          out += lowerWord(w, connector);
          [w, i] = nextWord(chars, i);
        }
        if (w.type !== 'none' && w.type !== 'connector' && w.type !== 'punct') out += connector;
      }
    }
  }
  return out + lowerWord(w, connector);
}

/** xstrings ToPascalCase (sprig's camelcase). */
export function toPascalCase(s: string): string {
  if (s === '') return '';
  const chars = [...s];
  let out = '';
  let k = 0;
  let r0 = '';
  let firstUpper = false;
  while (k < chars.length) {
    r0 = chars[k++]!;
    if (!isConnector(r0)) {
      firstUpper = isUpper(r0);
      r0 = r0.toUpperCase();
      break;
    }
    out += r0;
  }
  if (k >= chars.length) return isConnector(r0) ? out : out + r0;
  while (k < chars.length) {
    const r1 = r0;
    r0 = chars[k++]!;
    if (isConnector(r0) && isConnector(r1)) {
      out += r1;
      continue;
    }
    if (isConnector(r1)) {
      firstUpper = isUpper(r0);
      r0 = r0.toUpperCase();
    } else {
      if (firstUpper) {
        if (isUpper(r0)) r0 = r0.toLowerCase();
        else firstUpper = false;
      }
      out += r1;
    }
  }
  return out + r0;
}
