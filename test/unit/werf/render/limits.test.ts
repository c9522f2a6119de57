// Hostile templates stop with a clear RenderError within the documented
// bounds instead of hanging or exhausting memory.
import { describe, expect, it } from 'vitest';
import { RenderError, renderWerfConfig } from '../../../../src/werf/render/index.js';

function failure(text: string, options: Parameters<typeof renderWerfConfig>[1] = {}): RenderError {
  try {
    renderWerfConfig(text, options);
  } catch (e) {
    if (e instanceof RenderError) return e;
    throw e;
  }
  throw new Error('rendered without error');
}

describe('render bounds', () => {
  it('stops endless template recursion at the depth bound', () => {
    const e = failure('{{ define "loop" }}{{ template "loop" . }}{{ end }}{{ template "loop" . }}');
    expect(e.reason).toMatch(/nested deeper than 200/);
    expect(e.line).toBe(1);
  });

  it('stops endless include recursion at the depth bound', () => {
    const e = failure('{{ define "loop" }}x{{ include "loop" . }}{{ end }}{{ include "loop" . }}');
    expect(e.reason).toMatch(/nested deeper than 200/);
  });

  it('stops tpl that re-renders itself', () => {
    const e = failure('{{ $_ := set . "t" "{{ tpl .t . }}" }}{{ tpl .t . }}');
    expect(e.reason).toMatch(/nested deeper than 200/);
  });

  it('honours a smaller depth bound', () => {
    const text =
      '{{ define "d" }}{{ if gt . 0 }}{{ template "d" (sub . 1) }}{{ end }}{{ end }}{{ template "d" 10 }}';
    expect(renderWerfConfig(text, { limits: { maxDepth: 20 } })).toBe('');
    expect(failure(text, { limits: { maxDepth: 5 } }).reason).toMatch(/nested deeper than 5/);
  });

  it('stops a huge range by the step bound', () => {
    const e = failure('{{ range until 900000 }}{{ range until 900000 }}{{ end }}{{ end }}', {
      limits: { maxSteps: 200_000 },
    });
    expect(e.reason).toMatch(/exceeded 200000 steps/);
  });

  it('stops output growing past the output bound', () => {
    const e = failure('{{ range until 100000 }}{{ repeat 1000 "x" }}{{ end }}');
    expect(e.reason).toMatch(/output exceeds 16777216 characters/);
  });

  it('stops a single huge string before it is built', () => {
    const e = failure('{{ $s := repeat 100000000 "xxxxxxxxxx" }}');
    expect(e.reason).toMatch(/error calling repeat: result longer than 16777216 characters/);
  });

  it('stops strings doubled in a loop', () => {
    const e = failure('{{ $s := "xxxxxxxxxx" }}{{ range until 40 }}{{ $s = printf "%s%s" $s $s }}{{ end }}', {
      limits: { maxOutputChars: 1_000_000 },
    });
    expect(e.reason).toBe('result of printf longer than 1000000 characters');
  });

  it('refuses to build a huge list at once', () => {
    const e = failure('{{ $l := until 100000000 }}');
    expect(e.reason).toMatch(/more than 1000000 items/);
  });

  it('allows a list of exactly the documented 1,000,000 items, and refuses one more', () => {
    expect(renderWerfConfig('{{ len (until 1000000) }}')).toBe('1000000');
    expect(renderWerfConfig('{{ $s := seq 1000000 }}ok')).toBe('ok');
    expect(renderWerfConfig('{{ len (untilStep 0 2000000 2) }}')).toBe('1000000');
    expect(renderWerfConfig('{{ len (until -1000000) }}')).toBe('1000000');
    expect(failure('{{ len (until 1000001) }}').reason).toMatch(/more than 1000000 items/);
    expect(failure('{{ len (untilStep 0 2000001 2) }}').reason).toMatch(/more than 1000000 items/);
    expect(failure('{{ len (until -1000001) }}').reason).toMatch(/more than 1000000 items/);
  });

  it('stops by wall-clock time', () => {
    const e = failure('{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}', {
      limits: { maxMillis: 50, maxSteps: Number.MAX_SAFE_INTEGER },
    });
    expect(e.reason).toMatch(/took longer than 50 ms/);
  });
});
