// The parsed form of a packetdrill script (the subset slotcp's runner executes). Times are
// in microseconds; sequence numbers are kept as written (the runner maps them).

export type TimeKind = 'absolute' | 'relative';

export interface EventTime {
  /** `T`, `+T`, or `*` (any time). */
  kind: TimeKind | 'any';
  usecs: number;
  /** The end of a range `T1~T2`, or when a blocking call `T1...T2` returns. */
  end?: { kind: TimeKind; usecs: number };
}

export type TcpOption =
  | { kind: 'nop' }
  | { kind: 'eol' }
  | { kind: 'mss'; value: number }
  | { kind: 'wscale'; value: number }
  | { kind: 'sackOK' }
  | { kind: 'sack'; blocks: [number, number][] }
  | { kind: 'timestamp'; val: number; ecr: number };

interface EventBase {
  /** 1-based line number and the line as written, for error messages. */
  line: number;
  text: string;
  time: EventTime;
}

export interface PacketEvent extends EventBase {
  type: 'packet';
  direction: 'in' | 'out';
  /** Canonical flag letters in the order S F R P . E W U, or '' for `-`. */
  flags: string;
  seqStart: number;
  seqEnd: number;
  payloadLength: number;
  /** Absent when the script gives none. */
  ack?: number;
  window?: number;
  /** Absent: no options; 'any': the outbound wildcard `<...>`. */
  options?: TcpOption[] | 'any';
}

export type SyscallArg =
  | { kind: 'ellipsis' }
  | { kind: 'integer'; value: number }
  | { kind: 'identifier'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'array'; items: (number | string)[] }
  | { kind: 'struct'; fields: Record<string, number | string> };

export interface SyscallEvent extends EventBase {
  type: 'syscall';
  name: string;
  args: SyscallArg[];
  result: { value: number; errno?: string };
}

export interface CommandEvent extends EventBase {
  type: 'command';
  command: string;
}

export type ScriptEvent = PacketEvent | SyscallEvent | CommandEvent;

export interface Script {
  /** Top-of-file `--name=value` options (`--name` alone gives ''). */
  options: Record<string, string>;
  events: ScriptEvent[];
}
