// Clients for the interop tests, run inside a test's network namespace with
// `ip netns exec NS node dist/host-test/interop-client.js MODE ...`, so they use Linux's
// own TCP. Each prints one JSON line with what it saw and exits; every mode is bounded by
// a deadline (exit status 3 when it passes).
import http from 'node:http';
import net from 'node:net';
import { checkPattern } from '../firmware/apps/pattern';

const SERVER = process.env.SLOTCP_ADDR ?? '192.0.2.2';
const [mode, ...args] = process.argv.slice(2);
const deadlineMs = Number(process.env.SLOTCP_CLIENT_DEADLINE_MS ?? 60000);
const started = performance.now();
const elapsed = () => Math.round(performance.now() - started);

function finish(result: object): void {
  process.stdout.write(JSON.stringify({ mode, ms: elapsed(), ...result }) + '\n');
  process.exit(0);
}

setTimeout(() => {
  process.stdout.write(JSON.stringify({ mode, error: 'deadline', ms: elapsed() }) + '\n');
  process.exit(3);
}, deadlineMs).unref();

/** Deterministic payload bytes for a seed (a 32-bit LCG's top byte). */
function payload(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed | 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    b[i] = x >>> 24;
  }
  return b;
}

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
      const results = await Promise.all(Array.from({ length: parallel }, async (_, k) => {
        const data = payload(size, seed + k);
        const r = await exchange(port, data, true);
        return { received: r.received.length, firstDiff: firstDifference(data, r.received), ended: r.ended, error: r.error };
      }));
      finish({ size, parallel, results });
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
    default:
      process.stderr.write(`interop-client: unknown mode ${mode}\n`);
      process.exit(2);
  }
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ mode, error: String(err && err.stack || err), ms: elapsed() }) + '\n');
  process.exit(1);
});
