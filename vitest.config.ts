import { defineConfig } from 'vitest/config';

// Projects: `unit` is pure and fast; `oracle` compares with Go programs; `cluster` runs against the real control
// plane, registry and test kubelet that test/cluster/global-setup.ts starts
// once per run (files run one after another: they share that cluster).
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        // Differential tests against Go (test/oracles/*): the Go program is built on
        // first use, which on a cold machine fetches modules and takes minutes.
        test: {
          name: 'oracle',
          include: ['test/oracles/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 900_000,
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/cluster/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
