import http from 'node:http';
import type { Registry } from 'prom-client';

// Probe and metrics endpoints. Liveness reports the process is serving;
// readiness reports the caches are synced (followers are ready too: they are
// healthy standbys, and the metrics Service should reach every replica).

export interface HealthSources {
  ready(): boolean;
  registry: Registry;
}

export function startHttpServer(
  port: number,
  sources: HealthSources,
  host = '0.0.0.0',
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return send(res, 200, 'ok');
    if (path === '/readyz')
      return sources.ready() ? send(res, 200, 'ok') : send(res, 503, 'caches not synced');
    if (path === '/metrics') {
      sources.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': sources.registry.contentType });
          res.end(text);
        },
        (err: unknown) => send(res, 500, String(err)),
      );
      return;
    }
    send(res, 404, 'not found');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function send(res: http.ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain' });
  res.end(`${body}\n`);
}
