// `slotcp <command> ...`: one entry point for the host tools. Each command lives in its
// own module and returns the process exit status (2 for usage errors).

export class UsageError extends Error {}

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {};

/** Registers a command; modules are loaded only when their command runs. */
export function registerCommand(name: string, summary: string, load: () => Promise<Command>): void {
  commands[name] = { summary, load };
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  slotcp ${name.padEnd(6)} ${c.summary}`);
  return `usage:\n${lines.join('\n')}\n  slotcp help   this text`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`slotcp: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  try {
    return await (await command.load())(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`slotcp ${name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

// The commands. Each module exports `run(args): Promise<number>`.
registerCommand('pkt', 'run packetdrill scripts against the engine (virtual clock)', async () => (await import('./pkt/main.js')).run);
registerCommand('memory', 'print the memory a config fixes at construction', async () => (await import('./memory.js')).run);
registerCommand('serve', 'serve the example services over a UDP packet link (host runner)', async () => (await import('./serve/main.js')).run);
registerCommand('tun', 'serve them to this machine\'s own TCP: namespace + TUN + socat (root)', async () => (await import('./serve/tun.js')).run);
