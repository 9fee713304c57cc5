// `slotcp memory [--slots N] [--rx B] [--tx B] [--mss B] [--timewait N]`: the bytes the
// stack fixes at construction, from the real typed arrays (Stack.memory()).
import { ConfigError, NumericConfigKey, StackConfig } from '../firmware/tcp/config';
import { Stack } from '../firmware/tcp/stack';
import { UsageError, parseCommandLine } from './args';

const flags: Record<string, NumericConfigKey> = {
  slots: 'slots', rx: 'rxBytes', tx: 'txBytes', mss: 'mss', timewait: 'timeWaitCapacity',
};

export const usageText = `usage: slotcp memory [--slots N] [--rx BYTES] [--tx BYTES] [--mss BYTES] [--timewait N]
prints the bytes a stack with this config fixes at construction (defaults: the board's)`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandLine(args, Object.fromEntries(Object.keys(flags).map((f) => [f, { type: 'string' }])), { usage: usageText });
  if (parsed.help) {
    console.log(usageText);
    return 0;
  }
  const config: Partial<StackConfig> = { localAddr: 0xc0000202 };
  for (const { name, raw, value } of parsed.flags) {
    if (!/^-?[0-9]+$/.test(value!)) throw new UsageError(`${raw} needs an integer, got '${value}'`);
    config[flags[name]] = Number(value);
  }
  let stack: Stack;
  try {
    stack = new Stack(config, { send() {} }, { now: () => 0 }, { fill: (b) => b.fill(7) });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const c = stack.config;
  const m = stack.memory();
  console.log(`${c.slots} slots x ${m.perSlot} B (${m.perSlot - c.rxBytes - c.txBytes} B state + ${c.rxBytes} rx + `
    + `${c.txBytes} tx) + ${c.timeWaitCapacity} TIME-WAIT x ${m.perTimeWait} B + ${m.packetBuffers} B packet buffers`
    + ` + ${m.tables} B tables`
    + ` = ${m.total} B`);
  return 0;
}
