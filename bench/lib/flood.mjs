/**
 * Hostile connections for the flood figure (part 7): each of `connections` slots opens a TCP
 * connection, sends a POST to /slack/events declaring a `declaredBytes` body, then trickles the
 * body (`chunkBytes` every `intervalMs`) until the server answers or closes, and opens another
 * one, until `durationMs` passes. `headers` adds request headers (e.g. forged signature headers).
 */
import { connect } from 'node:net';

/**
 * Runs the flood against `url` (http://127.0.0.1:<port>).
 * @returns {{ stop: () => Promise<{opened:number, answered:Record<string,number>, cut:number, bytesSent:number}> }}
 */
export function startFlood(url, { connections, declaredBytes, headers = {}, chunkBytes = 16 * 1024, intervalMs = 100, durationMs }) {
  const { hostname, port } = new URL(url);
  const stats = { opened: 0, answered: {}, cut: 0, bytesSent: 0 };
  const deadline = Date.now() + durationMs;
  const chunk = Buffer.alloc(chunkBytes, 0x61);
  const live = new Set();
  let stopping = false;
  const head = () =>
    `POST /slack/events HTTP/1.1\r\nHost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: ${declaredBytes}\r\n${Object.entries(typeof headers === 'function' ? headers() : headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`;

  const slot = () =>
    new Promise((resolve) => {
      if (stopping || Date.now() > deadline) return resolve();
      const socket = connect(Number(port), hostname);
      live.add(socket);
      stats.opened += 1;
      let sent = 0;
      let status;
      let timer;
      socket.on('connect', () => {
        socket.write(head());
        timer = setInterval(() => {
          if (sent >= declaredBytes || socket.destroyed) return;
          const n = Math.min(chunkBytes, declaredBytes - sent);
          socket.write(n === chunkBytes ? chunk : chunk.subarray(0, n));
          sent += n;
          stats.bytesSent += n;
        }, intervalMs);
      });
      socket.on('data', (d) => {
        status ??= /^HTTP\/1\.1 (\d{3})/.exec(d.toString('latin1'))?.[1];
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        live.delete(socket);
        if (status) stats.answered[status] = (stats.answered[status] ?? 0) + 1;
        else stats.cut += 1;
        // Pause a little before reconnecting, as a real client would (and so a refused slot does
        // not spin the driver's own CPU).
        setTimeout(() => slot().then(resolve), 50);
      });
    });

  const all = Promise.all(Array.from({ length: connections }, slot));
  return {
    live: () => live.size,
    async stop() {
      stopping = true;
      for (const s of live) s.destroy();
      await all;
      return stats;
    },
  };
}
