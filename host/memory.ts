// `slotcp memory [--slots N] [--rx B] [--tx B] [--mss B] [--timewait N]`: the bytes the
// stack fixes at construction, from the real typed arrays (Stack.memory()).
import { ConfigError, NumericConfigKey, StackConfig } from '../firmware/tcp/config';
import { Stack } from '../firmware/tcp/stack';
import { UsageError } from './cli';

const flags: Record<string, NumericConfigKey> = {
  '--slots': 'slots', '--rx': 'rxBytes', '--tx': 'txBytes', '--mss': 'mss', '--timewait': 'timeWaitCapacity',
};

export async function run(args: string[]): Promise<number> {
  const config: Partial<StackConfig> = { localAddr: 0xc0000202 };
  for (let i = 0; i < args.length; i += 2) {
    const key = flags[args[i]];
    const value = Number(args[i + 1]);
    if (!key) throw new UsageError(`unknown flag ${args[i]} (known: ${Object.keys(flags).join(' ')})`);
    if (args[i + 1] === undefined || !Number.isInteger(value)) throw new UsageError(`${args[i]} needs an integer`);
    config[key] = value;
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
    + ` = ${m.total} B`);
  return 0;
}
