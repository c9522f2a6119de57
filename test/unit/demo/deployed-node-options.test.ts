// The operator's V8 flags live in deploy/deployment.yaml; the demo, the e2e
// tests and the benchmarks start their operator with the same value.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployedNodeOptions } from '../../../scripts/demo/operator.js';

const ROOT = join(import.meta.dirname, '../../..');

describe('deployedNodeOptions', () => {
  it('reads the operator container NODE_OPTIONS from deploy/deployment.yaml', () => {
    expect(deployedNodeOptions(ROOT)).toMatch(/--max-semi-space-size=\d+/);
  });

  it('is a value this Node accepts', () => {
    const run = spawnSync(process.execPath, ['-e', 'process.exit(0)'], {
      env: { ...process.env, NODE_OPTIONS: deployedNodeOptions(ROOT) },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
