// slotcp/tcp: ECMA-419's TCP socket (embedded:io/socket/tcp) on slotcp, as the default
// export. Sockets come from a Listener: `new TCP({from: listener.read(), ...})`.
export { TCP as default } from './tcp/ecma419';
