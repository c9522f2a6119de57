import { formatYamlPath } from '../../../src/werf/errors.js';
import { type ParseOptions, parseWerfConfig } from '../../../src/werf/parse-config.js';

/** A meta document; image documents after it start on line 4. */
export const META = 'project: t\nconfigVersion: 1\n---\n';

/** Errors as `LINE:COL doc N path: message` for exact comparisons. */
export function errorLines(text: string, options?: ParseOptions): string[] {
  return parseWerfConfig(text, options).errors.map(
    (e) => `${e.line}:${e.column} doc ${e.docIndex} ${formatYamlPath(e.path)}: ${e.message}`,
  );
}

export function messages(text: string, options?: ParseOptions): string[] {
  return parseWerfConfig(text, options).errors.map((e) => `${formatYamlPath(e.path)}: ${e.message}`);
}
