// The same example app over Moddable's own ECMA-419 sockets (lwIP's TCP): the HTTP
// server (server.ts) unchanged. manifest_moddable.json builds it.
import Listener from 'embedded:io/socket/listener';
import TCP from 'embedded:io/socket/tcp';
import { serveHttp } from './server';

serveHttp({ Listener, TCP } as never, 80);
trace('http-server: listening on port 80 (Moddable sockets)\n');
