// The status page: the stack's slot table, TIME-WAIT table and counters as plain text,
// a netstat for the board.
import { counterNames } from '../tcp/counters';
import { formatIpv4 } from '../tcp/wire';
import { Stack } from '../tcp/stack';

function pad(text: string | number, width: number): string {
  let s = String(text);
  while (s.length < width) s += ' ';
  return s;
}

export function statusText(stack: Stack, uptimeMs: number): string {
  const config = stack.config;
  const usage = stack.usage();
  const rows = stack.connections();
  const lines: string[] = [];
  lines.push(`slotcp ${formatIpv4(config.localAddr)}  up ${Math.floor(uptimeMs / 1000)} s`);
  lines.push(`slots ${usage.slotsInUse}/${config.slots} in use, TIME-WAIT ${usage.timeWait}/${config.timeWaitCapacity}`);
  lines.push('');
  lines.push('connections');
  lines.push(`${pad('local', 7)}${pad('remote', 22)}${pad('state', 13)}${pad('rx', 7)}tx`);
  let timeWait = 0;
  for (const row of rows) {
    if (row.handle < 0) { timeWait++; continue; }
    lines.push(`${pad(row.localPort, 7)}${pad(`${formatIpv4(row.remoteAddr)}:${row.remotePort}`, 22)}`
      + `${pad(row.state, 13)}${pad(row.rxQueued, 7)}${row.txQueued}`);
  }
  lines.push('');
  lines.push(`time-wait (${timeWait})`);
  for (const row of rows) {
    if (row.handle >= 0) continue;
    lines.push(`${pad(row.localPort, 7)}${formatIpv4(row.remoteAddr)}:${row.remotePort}`);
  }
  lines.push('');
  lines.push('counters');
  const counters = stack.counters;
  for (const name of counterNames) lines.push(`${pad(name, 25)} ${counters[name]}`);
  return lines.join('\n') + '\n';
}
