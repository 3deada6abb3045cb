/**
 * A private redis-server that speaks only TLS, with a CA and a server certificate made at test
 * time with `openssl` (https://redis.io/docs/latest/operate/oss_and_stack/management/security/encryption/).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { freePort } from './net.js';

/** A running TLS redis-server. */
export interface TlsRedis {
  /** `rediss://127.0.0.1:<port>`. */
  url: string;
  /** PEM file of the CA that signed the server's certificate. */
  caFile: string;
  stop(): void;
}

function openssl(cwd: string, ...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** Makes a CA and a server certificate for 127.0.0.1 / localhost; returns their paths. */
export function makeCertificates(): { dir: string; caFile: string; certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'au-tls-'));
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=astro-user test CA');
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  return { dir, caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') };
}

/**
 * Starts a TLS-only redis-server (no plain port, no client certificates); resolves once a TLS
 * handshake succeeds.
 * @throws {Error} when redis-server or openssl is missing, or this redis-server has no TLS support
 *   (it then exits at once on the TLS options): the message says which.
 */
export async function startTlsRedis(): Promise<TlsRedis> {
  if (spawnSync('redis-server', ['--version']).status !== 0) throw new Error('redis-server is not installed');
  if (spawnSync('openssl', ['version']).status !== 0) throw new Error('openssl is not installed');
  const { caFile, certFile, keyFile } = makeCertificates();
  const port = await freePort();
  const args = ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--tls-cert-file', certFile, '--tls-key-file', keyFile, '--tls-ca-cert-file', caFile, '--tls-auth-clients', 'no', '--save', '', '--appendonly', 'no'];
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`this redis-server does not serve TLS (exit ${code}): ${output.trim().split('\n').slice(-2).join(' ')}`))),
  );
  const deadline = Date.now() + 10_000;
  const handshake = () =>
    new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port, ca: [readFileSync(caFile, 'utf8')] }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
  for (;;) {
    if (await Promise.race([handshake(), exited])) break;
    if (Date.now() > deadline) throw new Error('redis-server did not accept TLS within 10 s');
    await new Promise((res) => setTimeout(res, 50));
  }
  exited.catch(() => undefined);
  return { url: `rediss://127.0.0.1:${port}`, caFile, stop: () => child.kill('SIGTERM') };
}
