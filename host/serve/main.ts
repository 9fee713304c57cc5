// `slotcp serve`: runs the stack and the example services over a UDP link until SIGINT or
// SIGTERM. Prints one "ready" line once the link is bound (slotcp tun and the tests wait
// for it); SIGUSR1 writes --stats (or prints the stats JSON when there is no file).
import { formatIpv4 } from '../../firmware/tcp/wire';
import { parseServeArgs, usageText } from './options';
import { Runner } from './runner';

export async function run(args: string[]): Promise<number> {
  const options = parseServeArgs(args, 'serve');
  if (options === 'help') {
    console.log(usageText('serve'));
    return 0;
  }
  const runner = await Runner.start(options);
  const { config } = options;
  const memory = runner.stack.memory();
  const { bound, peer } = runner.link;
  const say = (line: string) => process.stdout.write(`slotcp serve: ${line}\n`);
  say(`${formatIpv4(config.localAddr)} over udp ${bound.host}:${bound.port}, peer ${peer.host}:${peer.port}`);
  say(`${config.slots} slots (${config.rxBytes} rx + ${config.txBytes} tx, mss ${config.mss}), TIME-WAIT ${config.timeWaitCapacity} `
    + `records x 2*${config.mslMs} ms, ${memory.total} bytes fixed`);
  say(`listening ${options.services.map((s) => `${s.port} ${s.spec}`).join(', ')}`
    + (options.keepalive ? ` (keepalive ${options.keepalive.idleMs},${options.keepalive.intervalMs},${options.keepalive.count})` : ''));
  if (options.impair) {
    const i = options.impair;
    say(`impairment loss=${i.loss},dup=${i.dup},reorder=${i.reorder},seed=${i.seed} (both directions)`);
  }
  if (options.pcap) say(`pcap ${options.pcap}`);
  say(`ready on udp ${bound.host}:${bound.port}`);

  return new Promise<number>((resolve) => {
    const onUsr1 = () => {
      if (options.stats) runner.checkpoint();
      else process.stdout.write(JSON.stringify(runner.snapshot()) + '\n');
    };
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('SIGHUP', stop);
      process.off('SIGUSR1', onUsr1);
      runner.close().then(() => {
        const c = runner.stack.counters;
        const drops = runner.kernelDrops();
        say(`stopped (${signal}): ${c.packetsIn} packets in, ${c.segmentsOut} segments out, ${c.passiveOpens} connections`
          + (drops ? `, ${drops} datagrams dropped by the kernel (receive buffer full)` : ''));
        resolve(0);
      }, (err) => {
        process.stderr.write(`slotcp serve: error while stopping: ${err instanceof Error ? err.message : err}\n`);
        resolve(1);
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', stop);
    process.on('SIGUSR1', onUsr1);
  });
}
