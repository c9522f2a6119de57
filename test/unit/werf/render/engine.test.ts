// Engine behaviour without Go at hand: each expected text below is what Go's
// text/template + sprig + werf's functions produced for the template (recorded
// from the oracle, test/oracles/gotemplate). The oracle project re-checks these
// and many more against Go itself.
import { describe, expect, it } from 'vitest';
import { RenderError, renderWerfConfig } from '../../../../src/werf/render/index.js';

const files = { 'a.txt': 'text\n', 'conf/x.yaml': 'x: 1', 'conf/sub/y': 'y' };
const env = { A: 'aa' };
const render = (text: string) => renderWerfConfig(text, { files, env, werfEnv: 'prod' });

const expected: [template: string, output: string][] = [
  ['a {{- " b " -}} c', 'a b c'],
  ['{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}', '2'],
  ['{{ .Missing }}|{{ print .Missing }}|{{ $m := dict "a" nil }}{{ $m.a }}', '<no value>|<nil>|<no value>'],
  ['{{ range $i, $e := list "a" "b" }}{{ $i }}={{ $e }};{{ end }}', '0=a;1=b;'],
  ['{{ range $k, $v := dict "b" 2 "a" 1 }}{{ $k }}:{{ $v }} {{ end }}', 'a:1 b:2 '],
  ['{{ range 3 }}{{ . }}{{ end }}|{{ range list }}x{{ else }}empty{{ end }}', '012|empty'],
  [
    '{{ range list 1 2 3 4 }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}',
    '13',
  ],
  ['{{ if eq 1 2 }}a{{ else if eq 2 2 }}b{{ else }}c{{ end }}', 'b'],
  ['{{ with .Missing }}x{{ else with "w" }}{{ . }}{{ end }}', 'w'],
  ['{{ and 1 "x" }} {{ and 0 "x" }} {{ or 0 "" "z" }} {{ or 1 (fail "lazy") }}', 'x 0 z 1'],
  ['{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" 1 }}{{ include "t" "x" | upper }}', '[1][X]'],
  ['{{ block "b" "dot" }}<{{ . }}>{{ end }}', '<dot>'],
  ['{{ tpl "{{ .a }}" (dict "a" "A") }}', 'A'],
  [
    '{{ printf "%s|%5d|%-4s|%05.1f|%q|%v|%x|%t|%T" "s" 42 "ab" 3.14159 "q\\"" (list 1 "a") 255 true 1.5 }}',
    's|   42|ab  |003.1|"q\\""|[1 a]|ff|true|float64',
  ],
  ['{{ printf "%d %s" "x" }}', '%!d(string=x) %!s(MISSING)'],
  ["{{ 1e6 }} {{ 3.0 }} {{ 0.1 }} {{ 1e-5 }} {{ 017 }} {{ 0x1F }} {{ 'a' }}", '1e+06 3 0.1 1e-05 15 31 97'],
  [
    '{{ len "héllo" }} {{ index "abc" 1 }} {{ index (list 1 (list 2 3)) 1 0 }} {{ index (dict "k" "v") "missing" }}',
    '6 98 2 <no value>',
  ],
  [
    '{{ eq 1 2 1 }} {{ ne "a" "b" }} {{ lt 1.5 2.5 }} {{ ge "b" "a" }} {{ eq (add 1 1) 2 }}',
    'true true true true true',
  ],
  [
    '{{ html "<a & \'b\'>" }} {{ js "it\'s <x>" }} {{ urlquery "a b&c" }}',
    "&lt;a &amp; &#39;b&#39;&gt; it\\'s \\u003Cx\\u003E a+b%26c",
  ],
  [
    '{{ trim "  x " }}|{{ upper "a" }}|{{ title "hello world" }}|{{ substr 1 3 "hello" }}|{{ trunc 2 "hello" }}|{{ repeat 2 "ab" }}',
    'x|A|Hello World|el|he|abab',
  ],
  [
    '{{ quote "a" 1 nil }} {{ squote "b" }} {{ cat "a" nil 2 }} {{ indent 2 "a\\nb" }}|{{ nindent 1 "x" }}',
    '"a" "1" \'b\' a 2   a\n  b|\n x',
  ],
  [
    '{{ replace "a" "b" "banana" }} {{ split "," "a,b" }} {{ splitList "," "a,b" }} {{ join "-" (list 1 "a") }}',
    'bbnbnb map[_0:a _1:b] [a b] 1-a',
  ],
  [
    '{{ snakecase "HTTPServerName" }} {{ kebabcase "helloWorld" }} {{ camelcase "hello_world" }}',
    'http_server_name hello-world HelloWorld',
  ],
  [
    '{{ sha256sum "abc" }} {{ adler32sum "abc" }} {{ b64enc "hi" }} {{ b64dec "aGk=" }}',
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 38600999 aGk= hi',
  ],
  [
    '{{ add 1 2 3 }} {{ sub 5 2 }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod 7 3 }} {{ max 1 9 }} {{ addf 0.1 0.2 }} {{ round 2.345 2 }}',
    '6 3 6 3 1 9 0.3 2.35',
  ],
  [
    '{{ atoi "12" }} {{ int "0x10" }} {{ float64 "1.5" }} {{ until 3 }} {{ seq 3 }} {{ typeOf (add 1 2) }} {{ kindOf (list) }}',
    '12 16 1.5 [0 1 2] 1 2 3 int64 slice',
  ],
  [
    '{{ list 1 "a" nil }} {{ first (list 1 2) }} {{ rest (list 1 2 3) }} {{ last (list 1 2) }} {{ reverse (list 1 2) }} {{ uniq (list 1 1 2) }}',
    '[1 a <nil>] 1 [2 3] 2 [2 1] [1 2]',
  ],
  [
    '{{ append (list 1) 2 }} {{ prepend (list 1) 0 }} {{ has 1 (list 1) }} {{ without (list 1 2) 1 }} {{ compact (list 0 1 "") }} {{ slice (list 1 2 3) 1 }}',
    '[1 2] [0 1] true [2] [1] [2 3]',
  ],
  [
    '{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }} {{ hasKey $d "a" }} {{ get $d "z" }} {{ keys $d | sortAlpha }} {{ pick $d "a" }} {{ omit $d "a" }}',
    'map[a:1 b:2] true  [a b] map[a:1] map[b:2]',
  ],
  [
    '{{ merge (dict "a" 1) (dict "a" 2 "b" 3) }} {{ mergeOverwrite (dict "a" 1) (dict "a" 2) }} {{ dig "a" "b" "d" (dict "a" (dict "b" 1)) }}',
    'map[a:1 b:3] map[a:2] 1',
  ],
  [
    '{{ default "d" "" }} {{ default "d" "v" }} {{ empty 0 }} {{ coalesce "" "x" }} {{ ternary "y" "n" true }}',
    'd v true x y',
  ],
  [
    '{{ toJson (dict "b" 1 "a" (list "<x>" nil)) }} {{ toRawJson "<x>" }} {{ fromJson "{\\"a\\":1}" }}',
    '{"a":["\\u003cx\\u003e",null],"b":1} "<x>" map[a:1]',
  ],
  [
    '{{ toYaml (dict "b" (list 1 "two") "a" "x: y" "c" "yes" "d" "multi\\nline") }}',
    'a: \'x: y\'\nb:\n- 1\n- two\nc: "yes"\nd: |-\n  multi\n  line',
  ],
  [
    '{{ $m := fromYaml "a: 1\\nb:\\n  c: [x, y]\\nd: yes\\ne: 0755" }}{{ $m.a }} {{ $m.b.c }} {{ $m.d }} {{ $m.e }} {{ typeOf $m.b }}',
    '1 [x true] true 493 map[interface {}]interface {}',
  ],
  [
    '{{ regexMatch "^a.c$" "abc" }} {{ regexFindAll "[0-9]+" "a1b22" -1 }} {{ regexReplaceAll "a(x*)b" "-axxb-" "${1}W" }} {{ regexSplit "z+" "pizza" -1 }}',
    'true [1 22] -xxW- [pi a]',
  ],
  [
    '{{ base "/a/b.txt" }} {{ dir "/a/b.txt" }} {{ ext "x.tar.gz" }} {{ clean "a//b/../c" }}',
    'b.txt /a .gz a/c',
  ],
  [
    '{{ env "A" }}|{{ env "UNSET" "def" }}|{{ .Files.Get "a.txt" | trim }}|{{ .Files.Exists "conf" }}|{{ range $p, $_ := .Files.Glob "conf" }}{{ $p }};{{ end }}',
    'aa|def|text|true|conf/sub/y;conf/x.yaml;',
  ],
];

const failing: string[] = [
  '{{ if }}',
  '{{ undefinedFunc }}',
  '{{ $nope }}',
  '{{ template "missing" }}',
  '{{ index (list 1) 5 }}',
  '{{ upper 1 }}',
  '{{ indent (add 1 1) "x" }}',
  '{{ lt 1 "a" }}',
  '{{ required "need it" "" }}',
  '{{ fail "boom" }}',
  '{{ env "UNSET" }}',
  '{{ .Files.Get "nope" }}',
  '{{ break }}',
  '{{ 1 | "x" }}',
  '{{ range "abc" }}{{ end }}',
  '{{ fromYaml "a: [" }}',
];

describe('Go template semantics (recorded from Go)', () => {
  for (const [template, output] of expected) {
    it(template, () => {
      expect(render(template)).toBe(output);
    });
  }
});

describe('errors Go also reports', () => {
  for (const template of failing) {
    it(template, () => {
      let err: unknown;
      try {
        render(template);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RenderError);
      const e = err as RenderError;
      expect(e.file).toBe('werf.yaml');
      expect(e.line).toBe(1);
      expect(e.column).toBeGreaterThan(0);
      expect(e.message).toBe(`werf.yaml:1:${e.column}: ${e.reason}`);
    });
  }

  it('names the failing construct clearly', () => {
    const reasons = failing.map((t) => {
      try {
        render(t);
        return '';
      } catch (e) {
        return (e as RenderError).reason;
      }
    });
    expect(reasons).toMatchInlineSnapshot(`
      [
        "missing value for if",
        "function "undefinedFunc" not defined",
        "undefined variable "$nope"",
        "template "missing" not defined",
        "error calling index: index out of range: 5",
        "expected string; found 1",
        "wrong type for value; expected int; got int64",
        "error calling lt: incompatible types for comparison: int and string",
        "error calling required: need it",
        "error calling fail: boom",
        "error calling env: environment variable "UNSET" is not set; pass it with --env UNSET=VALUE",
        "error calling Get: file "nope" not found in the project files",
        "{{break}} outside {{range}}",
        "non executable command in pipeline stage 2",
        "range can't iterate over abc",
        "error calling fromYaml: yaml: Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 5",
      ]
    `);
  });
});
