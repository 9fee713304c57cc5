// Clients for the interop tests, run inside a test's network namespace with
// `ip netns exec NS node dist/host-test/interop-client.js MODE ...`, so they use Linux's
// own TCP. Each prints one JSON line with what it saw and exits; every mode is bounded by
// a deadline (exit status 3 when it passes).
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { checkPattern } from '../firmware/apps/pattern';
import { payload, sha256 } from './interop-payload';

const SERVER = process.env.SLOTCP_ADDR ?? '192.0.2.2';
const [mode, ...args] = process.argv.slice(2);
const deadlineMs = Number(process.env.SLOTCP_CLIENT_DEADLINE_MS ?? 60000);
const started = performance.now();
const elapsed = () => Math.round(performance.now() - started);

function finish(result: object): void {
  process.stdout.write(JSON.stringify({ mode, ms: elapsed(), ...result }) + '\n');
  process.exit(0);
}

/** What a mode has done so far, printed with the deadline error (how far it got). */
const progress: Record<string, unknown> = {};

setTimeout(() => {
  process.stdout.write(JSON.stringify({ mode, error: 'deadline', ms: elapsed(), progress }) + '\n');
  process.exit(3);
}, deadlineMs).unref();

/** Connects, sends `data` (then FIN), and collects everything until the server's FIN or
 *  an error. */
function exchange(port: number, data: Buffer | undefined, halfClose: boolean): Promise<{ received: Buffer; error?: string; ended: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let ended = false;
    const socket = net.connect({ host: SERVER, port, allowHalfOpen: true });
    socket.on('connect', () => {
      if (data) socket.write(data);
      if (halfClose) socket.end();
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => { ended = true; if (!halfClose) socket.end(); });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ received: Buffer.concat(chunks), error: err.code ?? err.message, ended }));
    socket.on('close', () => resolve({ received: Buffer.concat(chunks), ended }));
  });
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: SERVER, port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function main(): Promise<void> {
  switch (mode) {
    case 'http': {
      // http PORT COUNT: COUNT sequential GET / requests, one connection each.
      const [port, count] = args.map(Number);
      const statuses: Record<string, number> = {};
      let bodyBytes = 0;
      let badBodies = 0;
      let lastBody = '';
      for (let i = 0; i < count; i++) {
        const { status, body } = await get(port, '/');
        statuses[status] = (statuses[status] ?? 0) + 1;
        bodyBytes += body.length;
        if (!body.startsWith(`slotcp ${SERVER}`)) badBodies++;
        lastBody = body;
      }
      finish({ count, statuses, bodyBytes, badBodies, lastBody });
      break;
    }
    case 'get': {
      // get PORT PATH: one request, status and body.
      finish(await get(Number(args[0]), args[1]));
      break;
    }
    case 'echo': {
      // echo PORT SIZE SEED [PARALLEL]: each connection sends SIZE bytes and half-closes;
      // everything must come back byte for byte.
      const [port, size, seed, parallel = 1] = args.map(Number);
      // Per connection: when it finished (ms from the start), in `times`.
      const times: number[] = [];
      let done = 0;
      const results = await Promise.all(Array.from({ length: parallel }, async (_, k) => {
        const data = payload(size, seed + k);
        const r = await exchange(port, data, true);
        times[k] = elapsed();
        progress.done = ++done;
        return { received: r.received.length, firstDiff: firstDifference(data, r.received), ended: r.ended, error: r.error };
      }));
      finish({ size, parallel, results, times });
      break;
    }
    case 'source': {
      // source PORT: reads to EOF and checks every byte against the pattern.
      const r = await exchange(Number(args[0]), undefined, false);
      finish({ received: r.received.length, badAt: checkPattern(r.received, 0), ended: r.ended, error: r.error });
      break;
    }
    case 'discard': {
      // discard PORT SIZE: sends SIZE bytes, half-closes, waits for the server's FIN.
      const [port, size] = args.map(Number);
      const r = await exchange(port, payload(size, 1), true);
      finish({ sent: size, received: r.received.length, ended: r.ended, error: r.error });
      break;
    }
    case 'hold': {
      // hold PORT SIZE: sends SIZE bytes (no FIN) and waits for what the server does.
      const [port, size] = args.map(Number);
      const r = await exchange(port, size > 0 ? payload(size, 2) : undefined, false);
      finish({ received: r.received.length, ended: r.ended, error: r.error });
      break;
    }
    case 'closer': {
      // closer PORT COUNT PARALLEL: COUNT connections, PARALLEL at a time; each must see
      // EOF without data.
      const [port, count = 1, parallel = 1] = args.map(Number);
      let next = 0;
      let eofs = 0;
      const errors: string[] = [];
      await Promise.all(Array.from({ length: parallel }, async () => {
        while (next < count) {
          next++;
          const r = await exchange(port, undefined, false);
          if (r.ended && r.received.length === 0 && !r.error) eofs++;
          else errors.push(r.error ?? `received ${r.received.length}`);
        }
      }));
      finish({ count, eofs, errors: errors.slice(0, 5) });
      break;
    }
    case 'upload': {
      // upload PORT SIZE SEED: sends SIZE payload bytes (seeded), half-closes, waits for
      // the server's FIN; reports the SHA-256 of what it sent. (How far an unfinished
      // upload got is for the server's counters and the kernel's `ss -ti` to say.)
      const [port, size, seed] = args.map(Number);
      const data = payload(size, seed);
      const digest = sha256(data);
      const r = await new Promise<{ error?: string; ended: boolean; received: number }>((resolve) => {
        let ended = false;
        let received = 0;
        const socket = net.connect({ host: SERVER, port, allowHalfOpen: true });
        const done = (error?: string) => resolve({ error, ended, received });
        socket.on('connect', () => { socket.end(data); });
        socket.on('data', (chunk) => { received += chunk.length; });
        socket.on('end', () => { ended = true; });
        socket.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
        socket.on('close', () => done());
      });
      finish({ sent: size, sha256: digest, ...r });
      break;
    }
    case 'download': {
      // download PORT: reads to EOF; reports the count, the SHA-256 of what arrived and
      // the first byte that differs from source's pattern (-1: none).
      const port = Number(args[0]);
      const hash = createHash('sha256');
      progress.received = 0;
      let received = 0;
      let badAt = -1;
      const r = await new Promise<{ error?: string; ended: boolean }>((resolve) => {
        let ended = false;
        const socket = net.connect({ host: SERVER, port, allowHalfOpen: true });
        socket.on('data', (chunk) => {
          hash.update(chunk);
          if (badAt < 0) badAt = checkPattern(chunk, received);
          received += chunk.length;
          progress.received = received;
        });
        socket.on('end', () => { ended = true; socket.end(); });
        socket.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message, ended }));
        socket.on('close', () => resolve({ ended }));
      });
      finish({ received, sha256: hash.digest('hex'), badAt, ...r });
      break;
    }
    case 'request': {
      // request PORT PATH: writes a GET request and shuts its write side down (FIN), then
      // reads the whole reply to the server's FIN. The request's last 2 bytes go 20 ms
      // after the rest, with end(): Nagle holds them (the first part is not yet ACKed,
      // the server delays its ACK) and Linux puts the FIN on that same segment, so the
      // server sees the end of the request together with the FIN, before it replies.
      const [port, path] = [Number(args[0]), args[1]];
      const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${SERVER}\r\n\r\n`, 'latin1');
      const r = await new Promise<{ received: Buffer; error?: string; ended: boolean }>((resolve) => {
        const chunks: Buffer[] = [];
        let ended = false;
        const socket = net.connect({ host: SERVER, port, allowHalfOpen: true });
        socket.on('connect', () => {
          socket.write(request.subarray(0, request.length - 2));
          setTimeout(() => socket.end(request.subarray(request.length - 2)), 20);
        });
        socket.on('data', (chunk) => chunks.push(chunk));
        socket.on('end', () => { ended = true; });
        socket.on('error', (err: NodeJS.ErrnoException) => resolve({ received: Buffer.concat(chunks), error: err.code ?? err.message, ended }));
        socket.on('close', () => resolve({ received: Buffer.concat(chunks), ended }));
      });
      const text = r.received.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split >= 0 ? text.slice(0, split) : text;
      const body = split >= 0 ? text.slice(split + 4) : '';
      const length = /\r\nContent-Length: ([0-9]+)/i.exec(head);
      finish({ statusLine: head.split('\r\n', 1)[0], contentLength: length ? Number(length[1]) : -1,
        bodyLength: body.length, body, ended: r.ended, error: r.error });
      break;
    }
    case 'seed': {
      // seed PORT LINGER_MS: the client of the seed script: connects, waits for the
      // server's FIN (EOF), lingers (so its ACK of that FIN goes out on its own), then
      // closes; reports its port and when each step happened.
      const [port, linger] = args.map(Number);
      const r = await new Promise<object>((resolve) => {
        let endMs = -1;
        let received = 0;
        let localPort = 0;
        const socket = net.connect({ host: SERVER, port, allowHalfOpen: true });
        socket.on('connect', () => { localPort = socket.localPort ?? 0; });
        socket.on('data', (chunk) => { received += chunk.length; });
        socket.on('end', () => {
          endMs = elapsed();
          setTimeout(() => socket.end(), linger);
        });
        socket.on('error', (err: NodeJS.ErrnoException) => resolve({ localPort, received, endMs, error: err.code ?? err.message }));
        socket.on('close', () => resolve({ localPort, received, endMs, closeMs: elapsed() }));
      });
      finish(r);
      break;
    }
    case 'idle': {
      // idle PORT: connects to echo, checks one round trip, prints a line saying so, then
      // stays connected and silent (no keepalive of its own) until the deadline or until
      // the server resets it; prints what happened then.
      const port = Number(args[0]);
      const socket = net.connect({ host: SERVER, port, allowHalfOpen: true });
      let echoed = '';
      socket.on('connect', () => socket.write('hello'));
      socket.on('data', (chunk) => {
        echoed += chunk.toString('latin1');
        if (echoed === 'hello') {
          process.stdout.write(JSON.stringify({ mode, connected: true, localPort: socket.localPort, ms: elapsed() }) + '\n');
        }
      });
      socket.on('end', () => finish({ ended: true, echoed }));
      socket.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message, echoed }));
      break;
    }
    default:
      process.stderr.write(`interop-client: unknown mode ${mode}\n`);
      process.exit(2);
  }
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ mode, error: String(err && err.stack || err), ms: elapsed() }) + '\n');
  process.exit(1);
});
