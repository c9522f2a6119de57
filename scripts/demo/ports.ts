import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '../../test/cluster/lib/ports.js';

// Ports that must not change between demo runs: the registry's and the git
// server's addresses are part of image references and git URLs in the
// configs, so of the stage digests. A new port means a cold cache.

export interface DemoPorts {
  registry: number;
  git: number;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The ports of the last run when they are still free, else new ones (with a warning). */
export async function stablePorts(file: string, warn: (line: string) => void): Promise<DemoPorts> {
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoPorts>) : {};
  const pick = async (name: keyof DemoPorts, avoid: number[]): Promise<number> => {
    const old = previous[name];
    if (old && !avoid.includes(old) && (await isFree(old))) return old;
    if (old) warn(`port ${old} of the ${name} is taken now: a new one means the stage cache starts cold`);
    for (;;) {
      const port = await freePort();
      if (!avoid.includes(port)) return port;
    }
  };
  const registry = await pick('registry', []);
  const git = await pick('git', [registry]);
  const ports = { registry, git };
  writeFileSync(file, `${JSON.stringify(ports)}\n`);
  return ports;
}
