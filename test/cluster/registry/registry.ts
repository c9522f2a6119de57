import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { httpGet } from '../lib/http-probe.js';
import { freePort } from '../lib/ports.js';
import { type ManagedProcess, startProcess } from '../lib/processes.js';
import { StopWaiting, waitFor } from '../lib/wait.js';

export interface Registry {
  /** host:port, plain HTTP on 127.0.0.1. */
  host: string;
  process: ManagedProcess;
}

/**
 * Starts Debian's docker-registry (distribution 2.x) on loopback, storing
 * blobs under stateDir, or under `dataDir` when its content must outlive the
 * cluster (the demo keeps its stage cache across runs). `port` pins the port
 * (image references, and so stage digests, contain it); default a free one.
 */
export async function startRegistry(options: {
  stateDir: string;
  dataDir?: string;
  port?: number;
  timeoutMs?: number;
}): Promise<Registry> {
  const dir = join(options.stateDir, 'registry');
  const dataDir = options.dataDir ?? join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(join(options.stateDir, 'logs'), { recursive: true });
  const port = options.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  const configFile = join(dir, 'config.yml');
  writeFileSync(
    configFile,
    stringify({
      version: 0.1,
      log: { level: 'warn', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: dataDir }, delete: { enabled: true } },
      http: { addr: host },
    }),
  );
  const process = startProcess('docker-registry', 'docker-registry', ['serve', configFile], {
    logFile: join(options.stateDir, 'logs', 'registry.log'),
  });
  let exited: number | string | undefined;
  void process.exited.then((code) => {
    exited = code;
  });
  await waitFor(
    async () => {
      if (exited !== undefined)
        throw new StopWaiting(`docker-registry exited (${exited}):\n${process.logTail()}`);
      const res = await httpGet(`http://${host}/v2/`);
      return res.status === 200;
    },
    { description: `the registry to answer http://${host}/v2/`, timeoutMs: options.timeoutMs ?? 30_000 },
  );
  return { host, process };
}
