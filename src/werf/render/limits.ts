// Bounds that keep a hostile or buggy template from hanging the process or
// running it out of memory. Each, when hit, stops rendering with a clear error.

export interface Limits {
  /** Nesting of template / include / tpl calls (Go allows 100000; JS stacks do not). */
  maxDepth: number;
  /** Characters written by all templates together, include and tpl results counted too. */
  maxOutputChars: number;
  /** Units of work: actions, commands and range iterations. */
  maxSteps: number;
  /** Wall-clock budget for one render, checked every 1024 steps. */
  maxMillis: number;
  /** Largest list a function may build at once (until, seq, repeat counts...). */
  maxListItems: number;
}

export const defaultLimits: Limits = {
  maxDepth: 200,
  maxOutputChars: 16 * 1024 * 1024,
  maxSteps: 5_000_000,
  maxMillis: 10_000,
  maxListItems: 1_000_000,
};
