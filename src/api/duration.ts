// Durations in spec fields (`timeout: 1h30m`) use Go's time.Duration syntax,
// the form every Kubernetes user already writes for Flux and Argo CD.

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Pattern for the CRD schema: one or more <number><unit> pairs. */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;

/** Parses `1h30m`, `90s`, `500ms` into seconds; throws on anything else. */
export function parseDurationSeconds(text: string): number {
  if (!new RegExp(DURATION_PATTERN).test(text)) {
    throw new Error(`invalid duration '${text}': expected a Go duration such as 45m, 1h30m or 90s`);
  }
  let seconds = 0;
  for (const m of text.matchAll(PART)) {
    seconds += Number(m[1]) * (UNIT_SECONDS[m[2] as string] ?? 0);
  }
  return seconds;
}
