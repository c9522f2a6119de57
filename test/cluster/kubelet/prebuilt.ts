import type { V1Container } from '@kubernetes/client-node';
import { expandVariables } from './env.js';
import type { Runtime } from './images.js';
import { parseKanikoArgs } from './kaniko-flags.js';
import { copyManifest, manifestDigest } from './registry-copy.js';

// The `prebuilt-image` fault: a build pod that finishes at once, so a
// benchmark measures the operator and not the builds. The operator's own
// containers (prepare) succeed without running; a Kaniko container puts an
// image pushed beforehand at its destinations, as a real build would leave
// them, and reports the digest the way Kaniko's --digest-file does.

/** `<epoch ms> <destination>` per line, in the kubelet's folder of the state dir. */
export const PREBUILT_PUSH_LOG = 'prebuilt-pushes.log';

export interface InstantResult {
  exitCode: number;
  /** The termination message: the pushed digest, or what went wrong. */
  message: string;
}

export async function finishWithPrebuiltImage(
  runtime: Runtime,
  container: V1Container,
  vars: Map<string, string>,
  source: string,
  /** Told each destination the moment it exists (benchmarks time the operator from there). */
  pushed: (destination: string) => void = () => {},
): Promise<InstantResult> {
  if (runtime === 'operator') return { exitCode: 0, message: '' };
  if (runtime !== 'kaniko') {
    return {
      exitCode: 1,
      message: `prebuilt-image: container ${container.name} is neither operator nor Kaniko`,
    };
  }
  try {
    const args = container.command?.length
      ? [...container.command.slice(1), ...(container.args ?? [])]
      : (container.args ?? []);
    const build = parseKanikoArgs(args.map((a) => expandVariables(a, vars)));
    for (const destination of build.destinations) {
      await copyWithRetries(source, destination);
      pushed(destination);
    }
    const first = build.destinations[0];
    const digest = first ? await manifestDigest(first) : '';
    const path = container.terminationMessagePath || '/dev/termination-log';
    return { exitCode: 0, message: build.digestFile === path ? digest : '' };
  } catch (err) {
    return { exitCode: 1, message: `prebuilt-image: ${(err as Error).message}` };
  }
}

/**
 * The registry (filesystem storage) can fail a push whose blob another pod
 * uploads into the same repository at the same moment (DIGEST_INVALID,
 * MANIFEST_BLOB_UNKNOWN); a real builder retries pushes, and so does this.
 */
async function copyWithRetries(source: string, destination: string, attempts = 4): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await copyManifest(source, destination);
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 100 * i));
    }
  }
}
