// The example app over slotcp: the HTTP server (server.ts, ECMA-419 only) on port 80,
// with slotcp's Listener and TCP. manifest.json builds it.
import Listener from 'slotcp/listener';
import TCP from 'slotcp/tcp';
import { serveHttp } from './server';

serveHttp({ Listener, TCP } as never, 80);
trace('http-server: listening on port 80 (slotcp)\n');
