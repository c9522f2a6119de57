// Templates a careless or hostile user can write: each ends in a RenderError
// with the file, line and column, never another exception or a hang.
import { describe, expect, it } from 'vitest';
import { RenderError, renderWerfConfig } from '../../../../src/werf/render/index.js';

function failure(text: string): RenderError {
  try {
    renderWerfConfig(text);
  } catch (e) {
    if (e instanceof RenderError) return e;
    throw e;
  }
  throw new Error('rendered without error');
}

describe('deeply nested templates', () => {
  it('parentheses nested past the bound are a syntax error at the first one too many', () => {
    const e = failure(`x\n{{ ${'('.repeat(20_000)}1${')'.repeat(20_000)} }}`);
    expect([e.line, e.column, e.reason]).toEqual([
      2,
      1004,
      'parenthesized pipelines nested deeper than 1000',
    ]);
  });

  it('{{if}}, {{range}}, {{with}} and {{block}} nested past the bound are syntax errors', () => {
    for (const [open, what] of [
      ['{{ if true }}', '{{if}}'],
      ['{{ range until 1 }}', '{{range}}'],
      ['{{ with 1 }}', '{{with}}'],
    ] as const) {
      const e = failure(`${open.repeat(20_000)}${'{{ end }}'.repeat(20_000)}`);
      expect(e.reason).toBe(`${what} nested deeper than 1000`);
      expect(e.column).toBe(1000 * open.length + 4); // at the keyword of the first one too many
    }
    const blocks = Array.from({ length: 1500 }, (_, i) => `{{ block "b${i}" . }}`).join('');
    expect(failure(`${blocks}${'{{ end }}'.repeat(1500)}`).reason).toBe('{{block}} nested deeper than 1000');
  });

  it('nesting within the bound still renders', () => {
    expect(renderWerfConfig(`${'{{ if true }}'.repeat(900)}ok${'{{ end }}'.repeat(900)}`)).toBe('ok');
    expect(renderWerfConfig(`{{ ${'('.repeat(900)}"ok"${')'.repeat(900)} }}`)).toBe('ok');
  });
});

describe('regular expressions run in linear time, as Go RE2 does', () => {
  // Each of these takes minutes to hours on a backtracking engine.
  const evil = `${'a'.repeat(5000)}!`;

  it.each([
    ['regexMatch', `{{ regexMatch "^(a+)+$" .s }}`, 'false'],
    ['regexFind', `{{ regexFind "(a|aa)*b" .s }}`, ''],
    ['regexFindAll', `{{ regexFindAll "(a*)*b" .s -1 | len }}`, '0'],
    ['regexReplaceAll', `{{ regexReplaceAll "(a+)+b" .s "x" | len }}`, '5001'],
    ['regexSplit', `{{ regexSplit "(a+)+b" .s -1 | len }}`, '1'],
  ])('%s with a catastrophic pattern', (_name, template, expected) => {
    const text = `{{ $_ := set . "s" "${evil}" }}${template.replaceAll('.s', '$.s')}`;
    expect(renderWerfConfig(text)).toBe(expected);
  });

  it('keeps Unicode semantics for text outside the BMP', () => {
    expect(renderWerfConfig('{{ regexFind "^.$" "😀" }}|{{ regexReplaceAll "[😀]" "a😀b" "-" }}')).toBe(
      '😀|a-b',
    );
  });
});

describe('a block without {{end}}', () => {
  it('names what is unclosed and where it was opened, at that line, not past the end', () => {
    const e = failure('project: t\nconfigVersion: 1\n{{ if .Values }}\n---\nimage: a\nfrom: alpine\n');
    expect([e.line, e.column, e.reason]).toEqual([
      3,
      1,
      'unexpected EOF: {{if}} opened at 3:1 has no {{end}}',
    ]);
    expect(failure('a\n  {{- range $x := list 1 }}\n{{ else }}\nb\n').reason).toBe(
      'unexpected EOF: {{range}} opened at 2:3 has no {{end}}',
    );
    expect(failure('{{ with 1 }}{{ if 1 }}{{ end }}').reason).toBe(
      'unexpected EOF: {{with}} opened at 1:1 has no {{end}}',
    );
    expect(failure('{{ define "x" }}\nfoo').reason).toBe(
      'unexpected EOF: {{define "x"}} opened at 1:1 has no {{end}}',
    );
    expect(failure('x {{ block "b" . }}').reason).toBe(
      'unexpected EOF: {{block "b"}} opened at 1:3 has no {{end}}',
    );
  });
});
