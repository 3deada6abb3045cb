/**
 * A tiny HTTP server on loopback for stand-in services (the Astro API, Slack's Web API and
 * `response_url`s). Records every request; answers with a handler the test sets.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stub received. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Handles a request; `body` is the full request body. */
export type StubHandler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/** A running stub server. */
export interface HttpStub {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  setHandler(handler: StubHandler): void;
  /** Resolves when at least `n` requests matching `filter` have arrived, or rejects after `timeoutMs`. */
  waitFor(n: number, filter?: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

/** Starts a stub on 127.0.0.1 with a free port. */
export async function startHttpStub(handler: StubHandler): Promise<HttpStub> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      for (const w of waiters) w();
      Promise.resolve(current(rec, res)).catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Idle keep-alive connections stay open until close(): Node closes them after 5 s by default,
  // and a client reusing one at that moment gets a reset ("Could not reach the Astro API") that no
  // real Astro would cause. https://nodejs.org/api/http.html#serverkeepalivetimeout
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setHandler(h) {
      current = h;
    },
    waitFor(n, filter = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = requests.filter(filter);
          if (matching.length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(matching);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${n} request(s); got ${requests.filter(filter).length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes a JSON answer. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
