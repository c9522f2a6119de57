// werf reads werf.yaml as UTF-8 (yaml.v2 rejects other bytes). Decoding
// with replacement would turn a Latin-1 "é" in a shell command into U+FFFD
// and build something else than what is written: invalid bytes are an error
// at their line and column instead.

export interface EncodingProblem {
  /** 1-based line and column (in characters) of the first invalid byte. */
  line: number;
  column: number;
  byte: number;
  /** Set when the text starts with a UTF-16 byte order mark (FF FE little-endian, FE FF big-endian). */
  utf16?: 'LE' | 'BE';
}

export type Decoded = { ok: true; text: string } | { ok: false; problem: EncodingProblem };

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeUtf8(bytes: Uint8Array): Decoded {
  // Editors on Windows save "Unicode" as UTF-16; telling it from Latin-1 gives the right advice.
  const utf16 =
    bytes[0] === 0xff && bytes[1] === 0xfe ? 'LE' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'BE' : undefined;
  if (utf16) return { ok: false, problem: { line: 1, column: 1, byte: bytes[0] as number, utf16 } };
  try {
    return { ok: true, text: strict.decode(bytes) };
  } catch {
    const at = firstInvalidByte(bytes);
    // lastIndexOf with -1 would search from the end: a bad first byte is on line 1.
    const lineStart = at === 0 ? 0 : bytes.lastIndexOf(0x0a, at - 1) + 1;
    const line = bytes.subarray(0, lineStart).filter((b) => b === 0x0a).length + 1;
    const column = [...strict.decode(bytes.subarray(lineStart, at))].length + 1;
    return { ok: false, problem: { line, column, byte: bytes[at] ?? 0 } };
  }
}

/** `werf.yaml:3:9: ...` for a person who has to convert the file. */
export function encodingMessage(fileName: string, p: EncodingProblem): string {
  if (p.utf16) {
    const bom = p.utf16 === 'LE' ? 'FF FE' : 'FE FF';
    return `${fileName}:1:1: the file is UTF-16 (it starts with the byte order mark ${bom}); werf reads werf.yaml as UTF-8: convert the file (e.g. iconv -f utf-16 -t utf-8)`;
  }
  const hex = p.byte.toString(16).padStart(2, '0');
  return `${fileName}:${p.line}:${p.column}: invalid UTF-8 (byte 0x${hex}); werf reads werf.yaml as UTF-8: convert the file (e.g. iconv -f latin1 -t utf-8)`;
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const [size, min, max] =
      b < 0x80
        ? [1, 0, 0]
        : b >= 0xc2 && b <= 0xdf
          ? [2, 0x80, 0xbf]
          : b >= 0xe0 && b <= 0xef
            ? [3, 0, 0]
            : b >= 0xf0 && b <= 0xf4
              ? [4, 0, 0]
              : [0, 0, 0];
    if (size === 0) return i;
    if (size > 1 && !validSequence(bytes, i, size, min, max)) return i;
    i += size;
  }
  return bytes.length;
}

function validSequence(bytes: Uint8Array, i: number, size: number, min: number, max: number): boolean {
  const b = bytes[i] as number;
  // The second byte's range rules out overlong forms, surrogates and code points past U+10FFFF.
  const lo = size === 2 ? min : b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
  const hi = size === 2 ? max : b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
  for (let k = 1; k < size; k++) {
    const c = bytes[i + k];
    if (c === undefined) return false;
    if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return false;
  }
  return true;
}

/** The text of a werf.yaml read from a file; throws an Error with `encodingMessage` for invalid bytes. */
export function decodeConfigFile(bytes: Uint8Array, fileName: string): string {
  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) throw new Error(encodingMessage(fileName, decoded.problem));
  return decoded.text;
}
