/**
 * Prism (`@stoplight/prism-cli`) serving Astro's official v1 OpenAPI spec on loopback: a stand-in
 * Astro API that validates our requests against the spec and answers with its examples (static)
 * or random spec-valid data (dynamic, per request with `Prefer: dynamic=true`:
 * https://docs.stoplight.io/docs/prism/beb3ac0ff4e5b-prism-cli#modifying-responses).
 *
 * One Prism serves the whole run: the global setup (test/setup/global.ts) starts it, and test
 * files get it with {@link sharedPrism}.
 */
import { readFileSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inject } from 'vitest';

/** The run's Prism, as a test file sees it. */
export interface PrismMock {
  /** Base URL answering with the spec's examples. */
  url: string;
  /** Base URL of a loopback proxy that asks Prism for random spec-valid data on every request. */
  dynamicUrl: string;
  /** What Prism printed since this file called {@link sharedPrism} (its validator reports `Violation` lines for bad requests). */
  output(): string;
  /** Closes this file's proxy (Prism itself stops with the run). */
  close(): Promise<void>;
}

/** Waits (≤ 60 s) until the run's Prism answers, and starts this file's dynamic-mode proxy. */
export async function sharedPrism(): Promise<PrismMock> {
  const url = inject('prismUrl');
  const logFile = inject('prismLog');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(`${url}/organizations`, { headers: { authorization: 'Bearer probe' }, signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`prism did not start:\n${readFileSync(logFile, 'utf8')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const from = statSync(logFile).size;
  const target = new URL(url);
  const proxy = createServer((req, res) => {
    const out = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host, prefer: 'dynamic=true' } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => (res.headersSent ? res.destroy() : (res.writeHead(502), res.end())));
    req.pipe(out);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url,
    dynamicUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    output: () => readFileSync(logFile).subarray(from).toString('utf8'),
    close: () =>
      new Promise((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
