// `--established`: a script that starts from an established connection. The runner plays
// the listen-and-handshake preamble that most of the project's scripts would otherwise
// copy, then moves script time 0 to its end, so the script begins at its first
// interesting line. The preamble is written below as script text, parsed and run like
// any script's lines: what it leaves is exactly what the same lines at the top of a
// script would leave (README, "packetdrill scripts: pinning down a behaviour").

/** The peer's side of the handshake, from the script's --peer_* options. */
export interface EstablishedPeer {
  /** The SYN's MSS option (--peer_mss, default 1460). */
  mss: number;
  /** The window of the SYN and of the handshake's ACK (--peer_window, default 65535). */
  window: number;
  /** Whether the SYN offers SACK (--peer_sack, default off). */
  sack: boolean;
}

/** How long the handshake takes: the peer's ACK comes this long after its SYN (the stack's
 *  first RTT sample). Script time 0 is the ACK. */
export const HANDSHAKE_MS = 10;

const PEER_OPTIONS = new Set(['established', 'peer_mss', 'peer_window', 'peer_sack']);

export function isEstablishedOption(key: string): boolean {
  return PEER_OPTIONS.has(key);
}

/** The peer described by a script's options; undefined without --established. Throws a
 *  message (the runner reports it against the script) for a value out of range or a
 *  --peer_* option without --established. */
export function establishedPeer(options: Record<string, string>): EstablishedPeer | undefined {
  const integer = (key: string, fallback: number, min: number, max: number): number => {
    if (options[key] === undefined) return fallback;
    const n = Number(options[key]);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${key} needs an integer in ${min}..${max}, got '${options[key]}'`);
    return n;
  };
  const flag = (key: string): boolean => {
    if (options[key] === undefined) return false;
    if (options[key] !== '') throw new Error(`--${key} takes no value`);
    return true;
  };
  const given = Object.keys(options).filter((k) => k.startsWith('peer_') && PEER_OPTIONS.has(k));
  if (!flag('established')) {
    if (given.length) throw new Error(`--${given[0]} needs --established`);
    return undefined;
  }
  return { mss: integer('peer_mss', 1460, 1, 0xffff), window: integer('peer_window', 65535, 0, 0xffff), sack: flag('peer_sack') };
}

/** The lines --established stands for. Our ISN is learnt from the SYN-ACK, as in any
 *  script; its window and options are not checked (handshake/*.pkt pin them). */
export function establishedPreamble(peer: EstablishedPeer): string {
  const synOptions = `mss ${peer.mss}${peer.sack ? ',sackOK,nop,nop' : ''}`;
  return `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win ${peer.window} <${synOptions}>
+0 > S. 0:0(0) ack 1 <...>
+${HANDSHAKE_MS / 1000} < . 1:1(0) ack 1 win ${peer.window}
+0 accept(3, ..., ...) = 4
`;
}
