import { describe, expect, it } from 'vitest';
import { DEFAULT_BUILDER_IMAGE, DEFAULT_OPERATOR_IMAGE, parseRunArgs } from '../../../src/cli/run.js';

describe('stapel-operator run options', () => {
  it('has defaults the test kubelet and a real cluster both understand', () => {
    expect(parseRunArgs([], {})).toEqual({
      namespace: undefined,
      operatorImage: DEFAULT_OPERATOR_IMAGE,
      builderImage: DEFAULT_BUILDER_IMAGE,
      httpPort: 8080,
      workers: 4,
      leaderElect: true,
      leaseNamespace: undefined,
      leaseName: 'stapel-operator-leader',
    });
    expect(DEFAULT_OPERATOR_IMAGE).toContain('stapel-operator');
    expect(DEFAULT_BUILDER_IMAGE).toContain('kaniko');
  });

  it('takes flags over environment variables', () => {
    const opts = parseRunArgs(['--namespace', 'ci', '--workers=2', '--leader-elect', 'false'], {
      WATCH_NAMESPACE: 'other',
      WORKERS: '8',
      HTTP_PORT: '9090',
      STAPEL_OPERATOR_IMAGE: 'r.example.com/stapel-operator:2',
    });
    expect(opts).toMatchObject({
      namespace: 'ci',
      workers: 2,
      leaderElect: false,
      httpPort: 9090,
      operatorImage: 'r.example.com/stapel-operator:2',
    });
  });

  it('names the bad option', () => {
    expect(parseRunArgs(['--workers', 'many'], {})).toBe(
      "--workers must be a non-negative integer, got 'many'",
    );
    expect(parseRunArgs(['--leader-elect=maybe'], {})).toBe(
      "--leader-elect must be true or false, got 'maybe'",
    );
    expect(parseRunArgs(['--frobnicate', 'x'], {})).toBe('unknown option --frobnicate');
    expect(parseRunArgs(['--namespace'], {})).toBe('--namespace needs a value');
  });
});
