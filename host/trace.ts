// `slotcp serve --trace`: the stack's trace hook (firmware/tcp/trace.ts) as one line per
// event, tcpdump-like:
//   12:34:56.789 IN   192.0.2.1.40000 > 192.0.2.2.7: Flags [S], seq 1000, win 65535, options [mss 1460], length 0
//   12:34:56.789 OUT  192.0.2.2.7 > 192.0.2.1.40000: Flags [S.], seq 51000, ack 1001, win 16384, options [mss 1460], length 0
//   12:34:56.790 DROP droppedOutOfWindow 192.0.2.1.40000 > 192.0.2.2.7: Flags [.], seq 9, ack 1, win 65535, length 0
import { counterNames } from '../firmware/tcp/counters';
import { TraceEvent } from '../firmware/tcp/trace';
import { ACK, Out, Seg, Segment, flagLetters, formatIpv4 } from '../firmware/tcp/wire';

const u32 = (n: number) => n >>> 0;

/** One trace event as a line (without the time stamp). `localAddr` is the stack's address
 *  (an outgoing segment's source). */
export function formatTrace(event: TraceEvent, reason: number, seg: Segment, localAddr: number): string {
  if (event === TraceEvent.Out) {
    return `OUT  ${describe(localAddr, seg[Out.srcPort], seg[Out.dst], seg[Out.dstPort], seg[Out.flags], seg[Out.seq], seg[Out.ack],
      seg[Out.window], seg[Out.mss], seg[Out.length])}`;
  }
  const segment = describe(seg[Seg.srcAddr], seg[Seg.srcPort], seg[Seg.dstAddr], seg[Seg.dstPort], seg[Seg.flags], seg[Seg.seq],
    seg[Seg.ack], seg[Seg.window], seg[Seg.mss], seg[Seg.dataLength]);
  return event === TraceEvent.In ? `IN   ${segment}` : `DROP ${counterNames[reason] ?? reason} ${segment}`;
}

function describe(src: number, srcPort: number, dst: number, dstPort: number, flags: number, seq: number, ack: number,
  window: number, mss: number, length: number): string {
  let text = `${formatIpv4(src)}.${srcPort} > ${formatIpv4(dst)}.${dstPort}: Flags [${flagLetters(flags)}], seq ${u32(seq)}`;
  if (flags & ACK) text += `, ack ${u32(ack)}`;
  text += `, win ${window}`;
  if (mss > 0) text += `, options [mss ${mss}]`;
  return `${text}, length ${length}`;
}

/** HH:MM:SS.mmm of a wall-clock time in ms, as tcpdump starts its lines. */
export function traceTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}
