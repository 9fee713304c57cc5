// discard (RFC 863): reads and drops everything; closes once the client has closed.
import { Handler, Service, ServiceContext, ServiceStats, listenService } from './service';

export function discard(ctx: ServiceContext, port: number, name = 'discard', chunkBytes = 1460): Service {
  const stats = new ServiceStats();
  const scratch = new Uint8Array(chunkBytes);
  return listenService(ctx, name, port, stats, (): Handler => {
    let closed = false;
    return {
      onStart() { closed = false; },
      onReadable() {
        for (let got = this.read(scratch); got > 0; got = this.read(scratch)) stats.bytesIn += got;
      },
      onEnd() {
        if (closed) return;
        for (let got = this.read(scratch); got > 0; got = this.read(scratch)) stats.bytesIn += got;
        closed = true;
        stats.closed++;
        this.close();
      },
      onError() { closed = true; stats.errors++; },
    };
  });
}
