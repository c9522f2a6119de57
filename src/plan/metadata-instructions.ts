import type { DockerInstructions, ImageSpec } from '../werf/model.js';
import { effectiveCmd } from './checksums.js';
import { DockerfileValueError, execForm, plainValue, quotedWord, singleLine } from './dockerfile-syntax.js';

// Dockerfile instructions for the two metadata stages, with werf's semantics.
// Maps are written in sorted key order so the text, like the digest, does
// not depend on the key order of the YAML.

/** A value the Dockerfile cannot carry; `field` is the YAML key under `docker`/`imageSpec`. */
export class MetadataError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function guard<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DockerfileValueError) throw new MetadataError(field, err.message);
    throw err;
  }
}

function sortedEntries(map: Record<string, string>): [string, string][] {
  return Object.keys(map)
    .sort()
    .map((key) => [key, map[key] ?? '']);
}

function keyValueInstruction(keyword: 'ENV' | 'LABEL', map: Record<string, string>, field: string): string[] {
  return guard(field, () =>
    sortedEntries(map).map(
      ([key, value]) =>
        `${keyword} ${quotedWord(key, `${field} name`)}=${quotedWord(value, `${field} value`)}`,
    ),
  );
}

/**
 * ENTRYPOINT/CMD from werf's stored text (§2.5): text in brackets is decoded
 * as JSON into exec form, anything else runs under `/bin/sh -c`. werf stores
 * lists without escaping, so an item with `"` or `\` does not decode - werf's
 * build fails the same way; here it is a plan error.
 */
export function execFormFromStoredText(text: string, field: string): string {
  return guard(field, () => {
    if (text.startsWith('[') && text.endsWith(']')) {
      let decoded: unknown;
      try {
        decoded = JSON.parse(text);
      } catch {
        throw new DockerfileValueError(
          `${field} ${text} is not a valid JSON list (werf does not escape list items)`,
        );
      }
      if (!Array.isArray(decoded) || !decoded.every((a) => typeof a === 'string')) {
        throw new DockerfileValueError(`${field} ${text} must be a list of strings`);
      }
      return execForm(decoded);
    }
    return execForm(['/bin/sh', '-c', text]);
  });
}

/** The `dockerInstructions` stage (werf §2.5). */
export function dockerInstructionLines(docker: DockerInstructions): string[] {
  const lines: string[] = [];
  if (docker.volume.length > 0) {
    lines.push(
      `VOLUME ${guard('VOLUME', () => execForm(docker.volume.map((v) => plainValue(v, 'VOLUME path'))))}`,
    );
  }
  for (const port of docker.expose)
    lines.push(`EXPOSE ${guard('EXPOSE', () => plainValue(port, 'EXPOSE port'))}`);
  lines.push(...keyValueInstruction('ENV', docker.env, 'ENV'));
  lines.push(...keyValueInstruction('LABEL', docker.label, 'LABEL'));
  if (docker.workdir)
    lines.push(`WORKDIR ${guard('WORKDIR', () => plainValue(docker.workdir!, 'WORKDIR path'))}`);
  if (docker.user) lines.push(`USER ${guard('USER', () => plainValue(docker.user!, 'USER value'))}`);
  if (docker.entrypoint !== undefined) {
    lines.push(`ENTRYPOINT ${execFormFromStoredText(docker.entrypoint, 'ENTRYPOINT')}`);
  }
  const cmd = effectiveCmd(docker);
  if (cmd !== undefined) lines.push(`CMD ${execFormFromStoredText(cmd, 'CMD')}`);
  if (docker.healthcheck) {
    lines.push(`HEALTHCHECK ${guard('HEALTHCHECK', () => singleLine(docker.healthcheck!, 'HEALTHCHECK'))}`);
  }
  return lines;
}

function healthcheckLine(hc: NonNullable<ImageSpec['config']['healthcheck']>): string {
  const [kind, ...rest] = hc.test;
  if (kind === 'NONE') return 'HEALTHCHECK NONE';
  const options: string[] = [];
  if (hc.interval > 0) options.push(`--interval=${hc.interval}s`);
  if (hc.timeout > 0) options.push(`--timeout=${hc.timeout}s`);
  if (hc.startPeriod > 0) options.push(`--start-period=${hc.startPeriod}s`);
  if (hc.retries > 0) options.push(`--retries=${hc.retries}`);
  let command: string;
  if (kind === 'CMD') command = execForm(rest);
  else if (kind === 'CMD-SHELL') command = execForm(['/bin/sh', '-c', rest.join(' ')]);
  else
    throw new DockerfileValueError(
      `healthcheck test must start with CMD, CMD-SHELL or NONE, got ${JSON.stringify(kind)}`,
    );
  return ['HEALTHCHECK', ...options, 'CMD', command].join(' ');
}

/**
 * The `imageSpec` stage. A Dockerfile can set config fields but not remove
 * them, so the removal options are reported as unsupported; clearing user or
 * working directory sets root and `/`, which is what an empty value means.
 */
export function imageSpecLines(spec: ImageSpec): string[] {
  const c = spec.config;
  const unsupported: [string, boolean][] = [
    ['clearHistory', spec.clearHistory],
    ['config.removeLabels', c.removeLabels.length > 0],
    ['config.removeEnv', c.removeEnv.length > 0],
    ['config.removeVolumes', c.removeVolumes.length > 0],
  ];
  for (const [field, used] of unsupported) {
    if (used) {
      throw new MetadataError(
        field,
        `imageSpec ${field} is not supported: a Dockerfile build cannot remove config fields`,
      );
    }
  }
  const lines: string[] = [];
  if (spec.author) lines.push(`MAINTAINER ${guard('author', () => singleLine(spec.author, 'author'))}`);
  lines.push(...keyValueInstruction('ENV', c.env, 'config.env'));
  lines.push(...keyValueInstruction('LABEL', c.labels, 'config.labels'));
  if (c.volumes.length > 0) {
    lines.push(
      `VOLUME ${guard('config.volumes', () => execForm(c.volumes.map((v) => plainValue(v, 'VOLUME path'))))}`,
    );
  }
  for (const port of c.expose)
    lines.push(`EXPOSE ${guard('config.expose', () => plainValue(port, 'EXPOSE port'))}`);
  if (c.clearUser) lines.push('USER 0:0');
  else if (c.user) lines.push(`USER ${guard('config.user', () => plainValue(c.user, 'USER value'))}`);
  if (c.clearWorkingDir) lines.push('WORKDIR /');
  else if (c.workingDir)
    lines.push(`WORKDIR ${guard('config.workingDir', () => plainValue(c.workingDir, 'WORKDIR path'))}`);
  if (c.clearEntrypoint) lines.push('ENTRYPOINT []');
  else if (c.entrypoint.length > 0)
    lines.push(`ENTRYPOINT ${guard('config.entrypoint', () => execForm(c.entrypoint))}`);
  if (c.clearCmd) lines.push('CMD []');
  else if (c.cmd.length > 0) lines.push(`CMD ${guard('config.cmd', () => execForm(c.cmd))}`);
  if (c.stopSignal)
    lines.push(`STOPSIGNAL ${guard('config.stopSignal', () => plainValue(c.stopSignal, 'STOPSIGNAL'))}`);
  if (c.healthcheck) {
    const hc = c.healthcheck;
    lines.push(guard('config.healthcheck', () => healthcheckLine(hc)));
  }
  return lines;
}
