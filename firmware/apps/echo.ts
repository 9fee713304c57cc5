// echo (RFC 862): writes back everything it reads. It reads only as much as the send
// buffer can take, so nothing is ever held outside the stack's rings: when the client
// sends faster than it reads, our receive window closes and TCP's flow control slows it.
// Closes once the client has closed and every byte has been echoed (queued before FIN).
import { TCPSocket } from '../tcp/socket';
import { Handler, Service, ServiceContext, ServiceStats, listenService } from './service';

export function echo(ctx: ServiceContext, port: number, name = 'echo', chunkBytes = 1460): Service {
  const stats = new ServiceStats();
  const scratch = new Uint8Array(chunkBytes);
  return listenService(ctx, name, port, stats, (): Handler => {
    // Room in the send buffer and bytes waiting, as the socket last told us; both only
    // grow through onWritable/onReadable and only shrink through our own write/read.
    let room = 0;
    let unread = 0;
    let ended = false;
    let closed = false;
    function pump(socket: TCPSocket): void {
      while (room > 0 && unread > 0) {
        const want = Math.min(room, unread, scratch.length);
        const got = socket.read(scratch, 0, want);
        if (got === 0) { unread = 0; break; }
        unread -= got;
        stats.bytesIn += got;
        const put = socket.write(scratch, 0, got);
        stats.bytesOut += put;
        room -= put;
        // write() takes all of it (we asked for no more than the room); anything else
        // would lose bytes, so stop loudly instead.
        if (put !== got) { closed = true; stats.errors++; socket.abort(); return; }
      }
      if (ended && unread === 0 && !closed) {
        closed = true;
        stats.closed++;
        socket.close();
      }
    }
    return {
      onStart() { room = 0; unread = 0; ended = false; closed = false; },
      onReadable(bytes) { unread = bytes; if (!closed) pump(this); },
      onWritable(bytes) { room = bytes; if (!closed) pump(this); },
      onEnd() { ended = true; if (!closed) pump(this); },
      onError() { closed = true; stats.errors++; },
    };
  });
}
