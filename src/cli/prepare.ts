import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareGitEntries } from '../git/prepare-git.js';
import { redactUrl } from '../git/redact.js';
import { withImportCopyForms } from '../plan/import-copy.js';
import { type PrepareSpec, PrepareSpecSchema } from '../plan/prepare-spec.js';
import { RegistryClient } from '../registry/client.js';
import { CredentialStore } from '../registry/credentials.js';
import { type PreparedImport, prepareImports, symlinkedDestinations } from '../registry/prepare-imports.js';
import type { Command } from './commands.js';

// `stapel-operator prepare`: the build pod's init container. Writes the
// stage's Dockerfile, the files of its git mappings (src/git) and of its
// imports (src/registry) into the shared workspace.
// Registry credentials: $DOCKER_CONFIG/config.json (the mounted Secret).

const usage = `Usage: stapel-operator prepare --workspace DIR (--spec FILE | --spec-env VAR)

Reads a stage's prepare spec (JSON, apiVersion stapel.dev/prepare/v1), writes
DIR/Dockerfile, the files of each git mapping at its workspace path, and for
each import the selected files of the source stage image at its workspace path. Fails when an import's files
differ from the checksum the plan expected, or when an add path is missing.
Registry credentials are read from $DOCKER_CONFIG/config.json.`;

export interface PrepareArgs {
  workspace: string;
  spec: { file: string } | { env: string };
}

export function parsePrepareArgs(args: string[]): PrepareArgs | string {
  let workspace: string | undefined;
  let spec: PrepareArgs['spec'] | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => inline ?? args[++i];
    if (flag === '--workspace') workspace = value();
    else if (flag === '--spec') {
      const file = value();
      if (file !== undefined) spec = { file };
    } else if (flag === '--spec-env') {
      const env = value();
      if (env !== undefined) spec = { env };
    } else return `unknown argument ${JSON.stringify(arg)}`;
    if (
      (flag === '--workspace' && workspace === undefined) ||
      (flag !== '--workspace' && spec === undefined)
    ) {
      return `${flag} needs a value`;
    }
  }
  if (workspace === undefined) return 'missing --workspace DIR';
  if (spec === undefined) return 'missing --spec FILE or --spec-env VAR';
  return { workspace, spec };
}

/** Parses and validates the spec text; errors name the source and the JSON path. */
export function parsePrepareSpec(text: string, source: string): PrepareSpec {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON: ${(e as Error).message}`);
  }
  const result = PrepareSpecSchema.safeParse(doc);
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
    );
    throw new Error(`${source}: invalid prepare spec:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

async function loadSpec(spec: PrepareArgs['spec']): Promise<PrepareSpec> {
  if ('file' in spec) return parsePrepareSpec(await readFile(spec.file, 'utf8'), spec.file);
  const text = process.env[spec.env];
  if (text === undefined || text === '') throw new Error(`environment variable ${spec.env} is not set`);
  return parsePrepareSpec(text, `environment variable ${spec.env}`);
}

/** Git mappings (src/git): fetched into a cache inside the workspace, removed once the files are placed. */
async function prepareGit(spec: PrepareSpec, workspace: string, log: (line: string) => void): Promise<void> {
  const cacheDir = join(workspace, '.git-cache');
  try {
    const results = await prepareGitEntries(spec.git, { workspace, cacheDir });
    results.forEach((r, i) => {
      const entry = spec.git[i];
      log(`git ${i} ${redactUrl(entry?.url ?? '')} ${entry?.add} -> ${entry?.path} (${r.addKind})`);
    });
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

async function runImports(spec: PrepareSpec, workspace: string): Promise<PreparedImport[]> {
  const client = new RegistryClient({
    credentials: await CredentialStore.fromDockerConfigDir(),
    insecureRegistries: spec.insecureRegistries,
  });
  let symlinked: Set<number>;
  try {
    symlinked = await symlinkedDestinations(client, spec.imports, spec.dockerfile);
  } catch (e) {
    throw new Error(`reading the base image to place imports: ${(e as Error).message}`);
  }
  return prepareImports(client, spec.imports, workspace, symlinked);
}

export async function prepare(args: PrepareArgs, log: (line: string) => void): Promise<void> {
  const spec = await loadSpec(args.spec);
  await mkdir(args.workspace, { recursive: true });
  if (spec.git.length > 0) await prepareGit(spec, args.workspace, log);
  const imported = spec.imports.length === 0 ? [] : await runImports(spec, args.workspace);
  // The COPY form of a directory import and the source's ids are known only now (src/plan/import-copy.ts).
  const dockerfile = withImportCopyForms(
    spec.dockerfile,
    spec.imports,
    imported.map((d) => d.form),
    imported.map((d) => (d.sourceOwner === 'mixed' ? undefined : d.sourceOwner)),
  );
  await writeFile(join(args.workspace, 'Dockerfile'), dockerfile);
  log(`prepare ${spec.image}/${spec.stage} (${spec.digest}): Dockerfile written`);
  for (const done of imported) {
    const imp = spec.imports[done.index];
    const s = done.summary;
    log(
      `import ${done.index} from image "${imp?.sourceImage}" stage ${imp?.sourceStage}: ${imp?.add} (${done.kind}, ${done.form} form) -> ${done.path} ` +
        `(${s.files} files, ${s.directories} directories, ${s.symlinks} symlinks, ${s.bytes} bytes; checksum ${done.checksum})`,
    );
    for (const skipped of s.skipped) log(`  warning: special file ${skipped} not copied`);
    if (done.sourceOwner === 'mixed') {
      log(
        '  warning: the imported entries have different owners in the source image; one COPY cannot keep them, so they are owned by root: set owner and group on the import to choose',
      );
    } else if (done.sourceOwner) {
      log(
        `  owner and group kept from the source image: ${done.sourceOwner.owner}:${done.sourceOwner.group}`,
      );
    }
  }
}

export const prepareCommand: Command = {
  summary: "write a stage's Dockerfile and imported files into the build workspace",
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const parsed = parsePrepareArgs(args);
    if (typeof parsed === 'string') {
      process.stderr.write(`stapel-operator prepare: ${parsed}\n\n${usage}\n`);
      return 2;
    }
    try {
      await prepare(parsed, (line) => process.stdout.write(`${line}\n`));
      return 0;
    } catch (e) {
      process.stderr.write(`stapel-operator prepare: ${(e as Error).message}\n`);
      return 1;
    }
  },
};
