// Dockerfile syntax helpers: every user value that reaches a Dockerfile goes
// through one of these, so quoting is decided in one place.
//
// Rules the helpers rely on (Dockerfile reference, same in BuildKit, Buildah
// and Kaniko, which share the moby parser):
// - exec-form arguments are a JSON array of strings on one line; RUN, CMD and
//   ENTRYPOINT never expand variables, so JSON escaping is the only quoting;
// - ENV and LABEL values are shell-like words: inside double quotes a
//   backslash escapes `"`, `$` and `\`, and nothing else is special;
// - COPY, WORKDIR, USER, VOLUME and EXPOSE expand `$VAR` and treat quotes and
//   backslashes as syntax. Values for them must be plain; anything else is
//   rejected with an error instead of being mangled.
// A raw newline ends an instruction, so no single-line value may contain one.

export class DockerfileValueError extends Error {}

/** A JSON array of strings, safe in exec form: JSON escapes newlines, quotes and backslashes. */
export function execForm(args: readonly string[]): string {
  for (const arg of args) {
    if (arg.includes('\0'))
      throw new DockerfileValueError('contains a NUL character, which no process argument can carry');
  }
  return JSON.stringify(args);
}

/** A double-quoted word for ENV/LABEL keys and values. */
export function quotedWord(value: string, what: string): string {
  if (/[\r\n]/.test(value)) {
    throw new DockerfileValueError(
      `${what} contains a line break, which a Dockerfile instruction cannot carry`,
    );
  }
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

const UNSAFE_PLAIN = /[\r\n$\\"'`]/;

/** A value for an instruction that expands variables (COPY, WORKDIR, USER, VOLUME, EXPOSE). */
export function plainValue(value: string, what: string): string {
  if (value === '') throw new DockerfileValueError(`${what} is empty`);
  if (UNSAFE_PLAIN.test(value)) {
    throw new DockerfileValueError(
      `${what} ${JSON.stringify(value)} contains a line break, quote, '$' or backslash, which Dockerfile ${what.split(' ')[0]} would interpret`,
    );
  }
  return value;
}

/** A single-line value that the instruction keeps verbatim (HEALTHCHECK arguments). */
export function singleLine(value: string, what: string): string {
  if (/[\r\n]/.test(value)) {
    throw new DockerfileValueError(
      `${what} contains a line break, which a Dockerfile instruction cannot carry`,
    );
  }
  return value;
}

/**
 * The program every shell stage runs. werf runs a stage's commands as one
 * script with `set -e` in `/`, under bash when the image has it and /bin/sh
 * otherwise (Buildah backend, werf-stapel.md §2.3). The script is passed as
 * `$0` of the launcher, so it never needs shell quoting. Mount targets, if
 * any, are `$1...`: created before the script and emptied after it, so their
 * content stays out of the image (tmp_dir/build_dir semantics).
 */
export function shellLauncher(withMounts: boolean): string {
  const steps = ['cd / || exit 1'];
  if (withMounts) steps.push('for stapel_dir in "$@"; do mkdir -p "$stapel_dir" || exit $?; done');
  steps.push(
    'if command -v bash >/dev/null 2>&1; then stapel_sh=bash; else stapel_sh=/bin/sh; fi',
    '"$stapel_sh" -e -c "$0" || exit $?',
  );
  if (withMounts) {
    steps.push(
      'for stapel_dir in "$@"; do find "$stapel_dir" -mindepth 1 -maxdepth 1 -exec rm -rf -- {} + || exit $?; done',
    );
  }
  return steps.join('; ');
}

/** werf joins a stage's commands into one script, one command per line. */
export function joinCommands(commands: readonly string[]): string {
  return commands.join('\n');
}

/** The exec-form argv of a RUN that executes the commands the way werf does. */
export function shellRunArgv(commands: readonly string[], mountTargets: readonly string[] = []): string[] {
  return ['/bin/sh', '-c', shellLauncher(mountTargets.length > 0), joinCommands(commands), ...mountTargets];
}

/** `RUN [...]` for a shell stage. */
export function runInstruction(commands: readonly string[], mountTargets: readonly string[] = []): string {
  return `RUN ${execForm(shellRunArgv(commands, mountTargets))}`;
}

/** Reads the argv back from a `RUN [...]` line, as a Dockerfile parser does (used by tests and `plan`). */
export function parseExecForm(line: string): string[] {
  const match = /^[A-Z]+ (\[.*\])$/.exec(line);
  if (!match?.[1]) throw new Error(`not an exec-form instruction: ${line}`);
  const parsed: unknown = JSON.parse(match[1]);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
    throw new Error(`exec form is not a list of strings: ${line}`);
  }
  return parsed;
}

function chownFlag(owner: string, group: string): string {
  if (owner === '' && group === '') return '';
  const user = owner === '' ? '0' : plainValue(owner, 'COPY owner');
  return group === '' ? `--chown=${user} ` : `--chown=${user}:${plainValue(group, 'COPY group')} `;
}

/** `COPY [--chown=owner[:group]] ["path","to"]`; an empty owner with a group means root (uid 0). */
export function copyInstruction(entry: { path: string; to: string; owner: string; group: string }): string {
  return `COPY ${chownFlag(entry.owner, entry.group)}${execForm([entry.path, plainValue(entry.to, 'COPY destination')])}`;
}
