// The parsed form of a packetdrill script: the subset slotcp's runner executes, with
// packetdrill's meaning (google/packetdrill gtests/net/packetdrill/parser.y). Times are
// integer microseconds; sequence numbers are kept as written (the runner maps them).

export type TimeKind = 'absolute' | 'relative';

/** A point in script time: `T` (absolute) or `+T` (relative to the previous event). */
export interface TimePoint {
  kind: TimeKind;
  usecs: number;
}

export interface EventTime {
  /** `T`, `+T`, or `*` (any time; outbound packets only; usecs is then 0). */
  kind: TimeKind | 'any';
  usecs: number;
  /**
   * On an outbound packet: the end of a range `T1~T2` or `+T1~+T2` (same kind as the start).
   * On a system call: when the blocking call `T1...T2` returns. packetdrill writes the end
   * bare (`+.1...0.2`) and reads it like the start, so a relative start gives a relative end.
   * Never present on other events.
   */
  end?: TimePoint;
}

/** One TCP option, in the order written. */
export type TcpOption =
  | { kind: 'nop' }
  | { kind: 'eol' }
  | { kind: 'mss'; value: number }
  | { kind: 'wscale'; value: number }
  | { kind: 'sackOK' }
  | { kind: 'sack'; blocks: [number, number][] }
  | { kind: 'timestamp'; val: number; ecr: number };

interface EventBase {
  /** 1-based line of the event's time, and the source lines the event spans, for messages. */
  line: number;
  text: string;
  time: EventTime;
}

export interface PacketEvent extends EventBase {
  type: 'packet';
  direction: 'in' | 'out';
  /** Canonical flag letters in the order S F R P . E W U; '' for `-`. */
  flags: string;
  seqStart: number;
  seqEnd: number;
  payloadLength: number;
  /** `start:end(length)!`: the sequence numbers are absolute, not relative to the ISN (an
   *  outbound RST to a SYN for no connection starts at 0). Only outbound packets differ:
   *  inbound ones are sent as written anyway. */
  absoluteSeq?: true;
  /** Absent when not written: packetdrill then uses 0 (sends it, and expects it). */
  ack?: number;
  /** Absent only on outbound packets (inbound ones must give it): the window is not checked. */
  window?: number;
  /** Urgent pointer; absent when not written (0). */
  urg?: number;
  /** IPv4 `(tos 0xNN)` / `(ttl N)` before the flags: sent as written on an inbound packet
   *  (absent: 0 and 64), compared on an outbound one (absent: not checked). */
  tos?: number;
  ttl?: number;
  /**
   * Absent: no options (an outbound packet must carry none). 'any': the wildcard `<...>`,
   * outbound only, options not checked. A list always fills a multiple of 4 bytes.
   */
  options?: TcpOption[] | 'any';
}

/** A system call argument. Inside [ ] and { } only integers and names are kept. */
export type SyscallArg =
  | { kind: 'ellipsis' }
  | { kind: 'integer'; value: number }
  | { kind: 'identifier'; name: string }
  | { kind: 'string'; value: string }
  /** `[1]`: integers as numbers, names as strings. */
  | { kind: 'array'; items: (number | string)[] }
  /** `O_RDWR | O_NONBLOCK`: a bitwise or of names and integers (all-integer ones are folded). */
  | { kind: 'or'; terms: (number | string)[] }
  /** `{onoff=1, linger=0}`, `{l_onoff=1, l_linger=0}`: field names as written. */
  | { kind: 'struct'; fields: Record<string, number | string> }
  /** Anything deeper (`struct msghdr`, poll's `[{fd=4, events=POLLIN}]`). */
  | { kind: 'nested'; value: Nested };

/** A value inside [ ] or { }: an integer, a name (`A|B` kept as written), `...` (null),
 *  a list, or a struct. */
export type Nested = number | string | null | Nested[] | NestedStruct;

/** `{name=value, name(N)=value, value}`: named fields (a `(N)` after the name, such as
 *  msg_iov(1), is dropped), and values without a name in order (an iovec's `{..., 2000}`). */
export interface NestedStruct {
  fields: Record<string, Nested>;
  positional: Nested[];
}

export interface SyscallEvent extends EventBase {
  type: 'syscall';
  name: string;
  args: SyscallArg[];
  /** `= 3`, `= -1 EPIPE (Broken pipe)`: the note in parentheses is a comment, dropped. */
  result: { value: number; errno?: string };
}

export interface CommandEvent extends EventBase {
  type: 'command';
  /** The text between the backticks, as written. */
  command: string;
}

/** `%{ python }%`: packetdrill runs it with the socket's tcp_info (tcpi_*) as names. */
export interface CodeEvent extends EventBase {
  type: 'code';
  /** The text between `%{` and `}%`. */
  code: string;
}

export type ScriptEvent = PacketEvent | SyscallEvent | CommandEvent | CodeEvent;

/** A backtick command without a time: packetdrill's init (first) or cleanup (last) command. */
export interface ScriptCommand {
  line: number;
  text: string;
  command: string;
}

export interface Script {
  /** Top-of-file `--name=value` options (`--name` alone gives ''). */
  options: Record<string, string>;
  initCommand?: ScriptCommand;
  events: ScriptEvent[];
  cleanupCommand?: ScriptCommand;
}
