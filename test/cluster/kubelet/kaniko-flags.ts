/** What a Kaniko executor invocation asks for, in the subset the operator uses. */
export interface KanikoBuild {
  contextDir: string;
  dockerfile: string;
  destinations: string[];
  digestFile?: string;
  /** Files that get `<destination>@<digest>` lines (Kaniko's --image-name-with-digest-file). */
  imageNameWithDigestFile?: string;
  buildArgs: string[];
  labels: string[];
  /** Registries reached over plain HTTP or without TLS verification. */
  insecure: boolean;
  /** Base images pulled over plain HTTP or without TLS verification. */
  insecurePull: boolean;
  insecureRegistries: string[];
  noPush: boolean;
  target?: string;
}

const IGNORED_FLAGS = new Set([
  'cache',
  'cache-repo',
  'cache-dir',
  'cache-ttl',
  'cache-copy-layers',
  'cache-run-layers',
  'compressed-caching',
  'single-snapshot',
  'snapshot-mode',
  'use-new-run',
  'verbosity',
  'log-format',
  'log-timestamp',
  'cleanup',
  'ignore-var-run',
  'reproducible',
  'push-retry',
  'image-fs-extract-retry',
  'skip-unused-stages',
]);
const BOOLEAN_FLAGS = new Set([
  'insecure',
  'skip-tls-verify',
  'no-push',
  'cache',
  'compressed-caching',
  'single-snapshot',
  'use-new-run',
  'log-timestamp',
  'cleanup',
  'ignore-var-run',
  'reproducible',
  'insecure-pull',
  'skip-tls-verify-pull',
  'skip-unused-stages',
  'cache-copy-layers',
  'cache-run-layers',
]);

/**
 * Parses Kaniko executor arguments (`--flag=value`, `--flag value`, `-f`,
 * `-c`, `-d`). A flag outside the supported subset is an error: a build the
 * test kubelet cannot reproduce faithfully must fail loudly, not half-work.
 */
export function parseKanikoArgs(args: string[]): KanikoBuild {
  const build: KanikoBuild = {
    contextDir: '',
    dockerfile: 'Dockerfile',
    destinations: [],
    buildArgs: [],
    labels: [],
    insecure: false,
    insecurePull: false,
    insecureRegistries: [],
    noPush: false,
  };
  const short: Record<string, string> = { f: 'dockerfile', c: 'context', d: 'destination' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^(--?)([a-zA-Z][\w-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new Error(`kaniko: unexpected argument '${arg}'`);
    const name = match[1] === '-' ? short[match[2]!] : match[2]!;
    if (!name) throw new Error(`kaniko: unknown flag '${arg}'`);
    let value = match[3];
    if (BOOLEAN_FLAGS.has(name)) {
      if (value !== undefined && value !== 'true' && value !== 'false') {
        throw new Error(`kaniko: flag --${name} takes true or false, got '${value}'`);
      }
      const on = value !== 'false';
      if (name === 'insecure' || name === 'skip-tls-verify') build.insecure ||= on;
      else if (name === 'insecure-pull' || name === 'skip-tls-verify-pull') build.insecurePull ||= on;
      else if (name === 'no-push') build.noPush = on;
      continue;
    }
    if (value === undefined) {
      value = args[++i];
      if (value === undefined) throw new Error(`kaniko: flag --${name} needs a value`);
    }
    switch (name) {
      case 'context':
        if (value.startsWith('dir://')) build.contextDir = value.slice('dir://'.length);
        else if (value.startsWith('/')) build.contextDir = value;
        else throw new Error(`kaniko: only dir:// contexts are supported, got --context=${value}`);
        break;
      case 'dockerfile':
        build.dockerfile = value;
        break;
      case 'destination':
        build.destinations.push(value);
        break;
      case 'digest-file':
        build.digestFile = value;
        break;
      case 'image-name-with-digest-file':
        build.imageNameWithDigestFile = value;
        break;
      case 'build-arg':
        build.buildArgs.push(value);
        break;
      case 'label':
        build.labels.push(value);
        break;
      case 'target':
        build.target = value;
        break;
      case 'insecure-registry':
      case 'skip-tls-verify-registry':
        build.insecureRegistries.push(value);
        break;
      default:
        if (!IGNORED_FLAGS.has(name)) throw new Error(`kaniko: unsupported flag --${name}`);
    }
  }
  if (!build.contextDir) throw new Error('kaniko: --context=dir://... is required');
  if (!build.noPush && build.destinations.length === 0) {
    throw new Error('kaniko: at least one --destination is required (or --no-push)');
  }
  return build;
}

/** The registry host of an image reference (`host:port/repo:tag`). */
export function registryOf(reference: string): string {
  return reference.split('/', 1)[0]!;
}

/** Splits `host/repo[:tag|@digest]` into its parts; the tag defaults to `latest`. */
export function splitReference(reference: string): { host: string; repository: string; tag: string } {
  const host = registryOf(reference);
  const rest = reference.slice(host.length + 1);
  const at = rest.indexOf('@');
  if (at >= 0) return { host, repository: rest.slice(0, at), tag: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) return { host, repository: rest.slice(0, colon), tag: rest.slice(colon + 1) };
  return { host, repository: rest, tag: 'latest' };
}
