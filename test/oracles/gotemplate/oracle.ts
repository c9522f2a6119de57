// Runs the Go template oracle (main.go beside this file), building it on demand.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface OracleCase {
  text: string;
  files?: Record<string, string>;
  env?: Record<string, string>;
  werfEnv?: string;
  strictEnv?: boolean;
}

export type OracleResult = { ok: true; out: string } | { ok: false; err: string };

let binary: string | undefined;

/** Builds (if needed) and returns the oracle binary path; the first build fetches modules. */
export function oracleBinary(): string {
  if (!binary) {
    const out = execFileSync('bash', [join(import.meta.dirname, 'build.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    binary = out.trim().split('\n').pop()!;
  }
  return binary;
}

/** Renders every case with Go's text/template + sprig + werf's functions. */
export function runOracle(cases: OracleCase[]): OracleResult[] {
  const out = execFileSync(oracleBinary(), [], {
    input: JSON.stringify({ cases }),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out) as OracleResult[];
}
