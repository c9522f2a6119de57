import { defineConfig } from 'vitest/config';

// Projects: `unit` is pure and fast; `cluster` (added with test/cluster/) runs
// against the real control plane, registry and test kubelet.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
