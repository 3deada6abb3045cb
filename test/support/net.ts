/** Loopback networking helpers for tests and the global setup. */
import { createServer } from 'node:net';

/** A free loopback TCP port (free when this resolves; another process could take it later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
