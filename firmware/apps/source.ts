// source:N (RFC 864's chargen, bounded): sends N bytes of the pattern in pattern.ts, then
// closes (FIN after the last byte). Whatever the client sends is read and dropped, so the
// close is never turned into a RST by unread data.
import { TCPSocket } from '../tcp/socket';
import { fillPattern } from './pattern';
import { Handler, Service, ServiceContext, ServiceStats, listenService } from './service';

export function source(ctx: ServiceContext, port: number, total: number, name = `source:${total}`,
  chunkBytes = 1460): Service {
  const stats = new ServiceStats();
  const scratch = new Uint8Array(chunkBytes);
  return listenService(ctx, name, port, stats, (): Handler => {
    let sent = 0;
    let closed = false;
    function drain(socket: TCPSocket): void {
      for (let got = socket.read(scratch); got > 0; got = socket.read(scratch)) stats.bytesIn += got;
    }
    function send(socket: TCPSocket, room: number): void {
      while (room > 0 && sent < total) {
        const count = Math.min(room, total - sent, scratch.length);
        fillPattern(scratch, sent, count);
        const put = socket.write(scratch, 0, count);
        if (put === 0) break;
        sent += put;
        room -= put;
        stats.bytesOut += put;
      }
      if (sent === total) {
        drain(socket);
        closed = true;
        stats.closed++;
        socket.close();
      }
    }
    return {
      onStart() { sent = 0; closed = false; },
      onWritable(bytes) { if (!closed) send(this, bytes); },
      onReadable() { if (!closed) drain(this); },
      onError() { closed = true; stats.errors++; },
    };
  });
}
