import type { WerfConfigError, WerfConfigWarning, YamlPath } from './model.js';

// How config errors read for a person: one line each, in the shape compilers
// use, so editors and CI logs can jump to the place.

/** `['import', 1, 'after']` -> `import[1].after`; the empty path is `(document)`. */
export function formatYamlPath(path: YamlPath): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(part)) text += text === '' ? part : `.${part}`;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text === '' ? '(document)' : text;
}

/**
 * `werf.yaml:12:5: document 2 (image "app"): import[1].after: message`
 * (`(artifact "name")` for an artifact document).
 * Documents are counted from 1 for people; file-wide errors name no document.
 */
export function formatWerfConfigError(fileName: string, error: WerfConfigError | WerfConfigWarning): string {
  const where = `${fileName}:${error.line}:${error.column}`;
  if (error.docIndex < 0) return `${where}: ${error.message}`;
  const kind = error.artifact ? 'artifact' : 'image';
  const image = error.imageName === undefined ? '' : ` (${kind} "${error.imageName}")`;
  return `${where}: document ${error.docIndex + 1}${image}: ${formatYamlPath(error.path)}: ${error.message}`;
}
