export interface WaitOptions {
  /** What is awaited, in words: it is the start of the timeout message. */
  description: string;
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value other than undefined/false and returns
 * that value. On timeout it throws an error naming what was awaited and the
 * last state the probe reported (its last error, or what `lastState` returned).
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions & { lastState?: () => Promise<string> | string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 250;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      if (err instanceof StopWaiting) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      let state = '';
      if (options.lastState) {
        try {
          state = await options.lastState();
        } catch (err) {
          state = `(could not read the state: ${errorText(err)})`;
        }
      }
      const parts = [
        `timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${options.description}`,
      ];
      if (lastError !== undefined) parts.push(`last error: ${errorText(lastError)}`);
      if (state) parts.push(`last state: ${state}`);
      throw new Error(parts.join('\n'));
    }
    await sleep(interval);
  }
}

/** Thrown by a probe when waiting longer cannot help (a process died): ends the wait at once. */
export class StopWaiting extends Error {}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
