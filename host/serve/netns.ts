// Network namespace chores for `slotcp tun` (and the interop tests): the `ip` commands,
// run synchronously so cleanup can also run from an exit handler.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Runs `ip ARGS`; throws with ip's message when it fails. */
export function ip(...args: string[]): string {
  const result = spawnSync('ip', args, { encoding: 'utf8', timeout: 10000 });
  if (result.error) throw new Error(`ip ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${(result.stderr || '').trim() || `exit ${result.status}`}`);
  return result.stdout;
}

export function namespaceExists(name: string): boolean {
  try {
    return ip('netns', 'list').split('\n').some((line) => line.split(' ')[0] === name);
  } catch {
    return false;
  }
}

/** Process ids inside the namespace (its processes outlive `ip netns del`). */
export function namespacePids(name: string): number[] {
  try {
    return ip('netns', 'pids', name).split('\n').filter((l) => /^[0-9]+$/.test(l)).map(Number);
  } catch {
    return [];
  }
}

/** Kills whatever still runs in the namespace, then deletes it. Quiet if it is gone. */
export function removeNamespace(name: string): void {
  if (!namespaceExists(name)) return;
  for (const pid of namespacePids(name)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  try { ip('netns', 'del', name); } catch { /* reported by namespaceExists() to callers who care */ }
}

/** The full path of an executable on PATH, or undefined. */
export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, command);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch { /* next */ }
  }
  return undefined;
}
