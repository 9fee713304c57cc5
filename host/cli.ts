// `slotcp <command> ...`: one entry point for the host tools. Each command lives in its
// own module, parses its flags with host/args.ts and returns the process exit status
// (2 for usage errors, which go to stderr; --help goes to stdout with status 0).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, closest } from './args';

export { UsageError } from './args';

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {};

/** Registers a command; modules are loaded only when their command runs. */
export function registerCommand(name: string, summary: string, load: () => Promise<Command>): void {
  commands[name] = { summary, load };
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  slotcp ${name.padEnd(6)} ${c.summary}`);
  return `usage: slotcp COMMAND [FLAGS] (slotcp COMMAND --help: its flags)\n${lines.join('\n')}\n`
    + `  slotcp help [COMMAND]   this text, or a command's help\n  slotcp --version         the version (package.json)`;
}

/** The version in package.json (dist/host/cli.js → ../../package.json). */
export function version(): string {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
}

export async function main(argv: string[]): Promise<number> {
  let [name, ...rest] = argv;
  if (name === undefined) {
    console.error(`slotcp: no command given\n${usage()}`);
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    if (rest.length === 0) {
      console.log(usage());
      return 0;
    }
    if (rest.length > 1 || !commands[rest[0]]) {
      const guess = rest.length === 1 ? closest(rest[0], Object.keys(commands)) : undefined;
      console.error(`slotcp help: unknown command '${rest.join(' ')}'${guess ? ` (did you mean '${guess}'?)` : ''}\n${usage()}`);
      return 2;
    }
    [name, rest] = [rest[0], ['--help']];
  }
  if (name === '--version' || name === '-V') {
    if (rest.length > 0) {
      console.error(`slotcp: --version takes nothing after it, got '${rest.join(' ')}'`);
      return 2;
    }
    console.log(`slotcp ${version()}`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    const what = name.startsWith('-') ? 'flag' : 'command';
    const guess = closest(name, name.startsWith('-') ? ['--help', '--version'] : Object.keys(commands));
    console.error(`slotcp: unknown ${what} '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}\n${usage()}`);
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
