// Clients for bench/e2e.ts, run inside the bench's network namespace with
// `ip netns exec NS node dist/bench/e2e-client.js MODE ...` (Linux's own TCP and UDP).
// Each mode prints one JSON line and exits; every mode is bounded by a deadline (exit 3).
//
//   download PORT BYTES            read to EOF from PORT (source:BYTES); time connect → EOF
//   upload PORT BYTES              write BYTES, half-close, wait for the server's FIN (discard)
//   http PORT COUNT PARALLEL       COUNT GET / exchanges, PARALLEL at a time, one connection each
//   udp-send ADDR PORT SIZE MS     blast SIZE-byte UDP payloads at ADDR:PORT for MS milliseconds
//   link-gen BIND PEER KERNEL PORT SIZE MS   as the runner would: whole SIZE-byte IPv4/UDP packets
//                                  from 127.0.0.1:BIND to socat at 127.0.0.1:PEER, addressed to KERNEL:PORT
//   udp-count BIND_ADDR PORT IDLE_MS   count UDP datagrams until IDLE_MS without one (after the first)
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';

const SERVER = process.env.SLOTCP_ADDR ?? '192.0.2.2';
const [mode, ...args] = process.argv.slice(2);
const deadlineMs = Number(process.env.SLOTCP_CLIENT_DEADLINE_MS ?? 60000);

function finish(result: object): void {
  process.stdout.write(JSON.stringify({ mode, ...result }) + '\n');
  process.exit(0);
}

setTimeout(() => {
  process.stdout.write(JSON.stringify({ mode, error: 'deadline' }) + '\n');
  process.exit(3);
}, deadlineMs).unref();

function download(port: number): Promise<{ bytes: number; ms: number; ended: boolean; error?: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let bytes = 0;
    let ended = false;
    const socket = net.connect({ host: SERVER, port });
    socket.on('data', (chunk) => { bytes += chunk.length; });
    socket.on('end', () => { ended = true; });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ bytes, ms: performance.now() - t0, ended, error: err.code ?? err.message }));
    socket.on('close', () => resolve({ bytes, ms: performance.now() - t0, ended }));
  });
}

function upload(port: number, size: number): Promise<{ bytes: number; ms: number; ended: boolean; error?: string }> {
  return new Promise((resolve) => {
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 7 + 3) & 0xff;
    const t0 = performance.now();
    let ended = false;
    const socket = net.connect({ host: SERVER, port, allowHalfOpen: true });
    socket.on('connect', () => { socket.end(data); });
    socket.on('data', () => {});
    socket.on('end', () => { ended = true; socket.end(); });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ bytes: size, ms: performance.now() - t0, ended, error: err.code ?? err.message }));
    socket.on('close', () => resolve({ bytes: size, ms: performance.now() - t0, ended }));
  });
}

function get(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: SERVER, port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Sends `payload` to addr:port for `ms` milliseconds with at most 64 sends in flight;
 *  errors (ENOBUFS when a queue is full) are counted, not fatal. */
async function blast(socket: dgram.Socket, payload: Buffer, port: number, addr: string, ms: number) {
  let sent = 0;
  let errors = 0;
  let inFlight = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let done = false;
    const pump = () => {
      while (!done && inFlight < 64) {
        if (performance.now() - t0 >= ms) { done = true; break; }
        inFlight++;
        socket.send(payload, port, addr, (err) => {
          inFlight--;
          if (err) errors++; else sent++;
          if (done) { if (inFlight === 0) resolve(); } else if (inFlight < 32) setImmediate(pump);
        });
      }
      if (done && inFlight === 0) resolve();
    };
    pump();
  });
  const elapsed = performance.now() - t0;
  socket.close();
  return { sent, errors, ms: elapsed };
}

/** A whole IPv4 packet of `total` bytes carrying UDP (checksum 0, allowed on IPv4). */
function ipv4Udp(src: string, dst: string, sport: number, dport: number, total: number): Buffer {
  const b = Buffer.alloc(total, 0x5a);
  b[0] = 0x45; b[1] = 0; b.writeUInt16BE(total, 2); b.writeUInt16BE(1, 4); b.writeUInt16BE(0x4000, 6);
  b[8] = 64; b[9] = 17; b.writeUInt16BE(0, 10);
  src.split('.').forEach((o, i) => { b[12 + i] = Number(o); });
  dst.split('.').forEach((o, i) => { b[16 + i] = Number(o); });
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += b.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  b.writeUInt16BE(~sum & 0xffff, 10);
  b.writeUInt16BE(sport, 20); b.writeUInt16BE(dport, 22); b.writeUInt16BE(total - 20, 24); b.writeUInt16BE(0, 26);
  return b;
}

async function main(): Promise<void> {
  switch (mode) {
    case 'download': {
      const [port, size] = args.map(Number);
      const r = await download(port);
      finish({ ...r, expected: size });
      break;
    }
    case 'upload': {
      const [port, size] = args.map(Number);
      finish(await upload(port, size));
      break;
    }
    case 'http': {
      const [port, count, parallel] = args.map(Number);
      let next = 0;
      let ok = 0;
      const errors: string[] = [];
      const t0 = performance.now();
      await Promise.all(Array.from({ length: parallel }, async () => {
        while (next < count) {
          next++;
          try {
            const status = await get(port);
            if (status === 200) ok++;
            else errors.push(`status ${status}`);
          } catch (err) {
            errors.push(String((err as NodeJS.ErrnoException).code ?? err));
          }
        }
      }));
      finish({ count, parallel, ok, ms: performance.now() - t0, errors: errors.slice(0, 5), errorCount: errors.length });
      break;
    }
    case 'udp-send': {
      const [addr, portText, sizeText, msText] = args;
      const socket = dgram.createSocket('udp4');
      finish(await blast(socket, Buffer.alloc(Number(sizeText), 0x5a), Number(portText), addr, Number(msText)));
      break;
    }
    case 'link-gen': {
      // Stands in for the runner: bound where the runner binds, sends whole IPv4 packets
      // (UDP from SLOTCP_ADDR:9 to KERNEL:PORT, checksum 0) to socat's end of the link.
      const [bindPortText, peerPortText, kernel, portText, sizeText, msText] = args;
      const packet = ipv4Udp(SERVER, kernel, 9, Number(portText), Number(sizeText));
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((r) => socket.bind(Number(bindPortText), '127.0.0.1', () => r()));
      finish(await blast(socket, packet, Number(peerPortText), '127.0.0.1', Number(msText)));
      break;
    }
    case 'udp-count': {
      const [bind, portText, idleText] = args;
      const idle = Number(idleText);
      const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
      let count = 0;
      let bytes = 0;
      let first = 0;
      let last = 0;
      let timer: NodeJS.Timeout | undefined;
      const done = () => finish({ count, bytes, ms: last - first });
      socket.on('message', (msg) => {
        const now = performance.now();
        if (count === 0) first = now;
        last = now;
        count++;
        bytes += msg.length;
        if (!timer) timer = setInterval(() => { if (performance.now() - last > idle) done(); }, 50);
      });
      socket.bind(Number(portText), bind, () => process.stdout.write('listening\n'));
      break;
    }
    default:
      process.stderr.write(`e2e-client: unknown mode ${mode}\n`);
      process.exit(2);
  }
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ mode, error: String((err && err.stack) || err) }) + '\n');
  process.exit(1);
});
