// The grammar of a Docker image reference (distribution/reference), used to
// tell an external import source (`alpine:3.20`, `repo@sha256:...`) from the
// name of an image of the config (werf-stapel.md §2.6).

const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const reference = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);

export interface DockerReference {
  name: string;
  tag: string | undefined;
  digest: string | undefined;
}

export function parseDockerReference(text: string): DockerReference | undefined {
  const match = reference.exec(text);
  if (!match || (match[1] ?? '').length > 255) return undefined;
  return { name: match[1] ?? '', tag: match[2], digest: match[3] };
}

/** An import source is external exactly when it is a reference with a tag or a digest. */
export function isExternalImportSource(source: string): boolean {
  const ref = parseDockerReference(source);
  return ref !== undefined && (ref.tag !== undefined || ref.digest !== undefined);
}
