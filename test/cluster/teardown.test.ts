import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ClusterState, isAlive } from './cluster-state.js';
import { REPO_ROOT } from './launch.js';
import { waitFor } from './lib/wait.js';

/** Pids of every process whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

describe('test cluster teardown', () => {
  it('leaves no process and no state behind when the process that started it is killed', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'stapel-cluster-teardown-'));
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'test/cluster/lib/hold-cluster.ts'), '--state-dir', stateDir],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    holder.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const state = await waitFor(
      () => (output.includes('\n') ? (JSON.parse(output.split('\n')[0]!) as ClusterState) : undefined),
      { description: 'the second cluster to start', timeoutMs: 120_000 },
    );
    const running = processesMentioning(stateDir);
    // etcd, kube-apiserver, kube-controller-manager, registry, kubelet, supervisor, unshare
    expect(running.length).toBeGreaterThanOrEqual(7);

    holder.kill('SIGKILL'); // no teardown code of the holder runs
    await waitFor(() => processesMentioning(stateDir).length === 0 && !existsSync(stateDir), {
      description: 'every process of the killed runner’s cluster to end and its state dir to go',
      timeoutMs: 60_000,
      lastState: () =>
        `still running: ${processesMentioning(stateDir).join(', ')}; dir exists: ${existsSync(stateDir)}`,
    });
    expect(isAlive(state.supervisorPid)).toBe(false);
  });
});
