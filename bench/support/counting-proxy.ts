import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';

// A plain-HTTP proxy on loopback in front of the API server that counts
// every request one client makes (watches count once, however long they
// stream). The operator under benchmark talks to the API server only
// through it, so its figures are the operator's requests alone.

export interface CountingProxy {
  url: string;
  /** Requests so far, by `VERB resource` (e.g. `POST jobs`, `WATCH pods`). */
  counts(): Map<string, number>;
  total(): number;
  reset(): void;
  close(): Promise<void>;
}

/** `GET /apis/batch/v1/namespaces/x/jobs?watch=true` -> `WATCH jobs`. */
export function describeRequest(method: string, url: string): string {
  const u = new URL(url, 'http://x');
  const parts = u.pathname.split('/').filter(Boolean);
  // /api/v1/... or /apis/group/version/...; then [namespaces/ns/]resource[/name[/sub]]
  let rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  const resource = rest.length >= 3 ? `${rest[0]}/${rest[2]}` : (rest[0] ?? u.pathname);
  const verb =
    u.searchParams.get('watch') === 'true' || u.searchParams.get('watch') === '1' ? 'WATCH' : method;
  return `${verb} ${resource}`;
}

export async function startCountingProxy(target: { server: string; ca: string }): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const upstream = new URL(target.server);
  const server: Server = createServer((req: IncomingMessage, res) => {
    const key = describeRequest(req.method ?? 'GET', req.url ?? '/');
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        ca: target.ca,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(out);
    res.on('close', () => out.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => new Map(counts),
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset: () => counts.clear(),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
