// Link impairment in one direction: drops, duplicates and reorders packets with a seeded
// generator (the kernel's netem is not available where the tests run). Reordering holds
// one packet back and releases it right after the next one, or after holdMs if nothing
// follows, so a held packet is late but never lost.
import { Prng } from '../prng';

export interface ImpairConfig {
  /** Probability of dropping, duplicating, and holding back a packet (each 0..1). */
  loss: number;
  dup: number;
  reorder: number;
  seed: number;
}

export class ImpairStats {
  packets = 0;
  dropped = 0;
  duplicated = 0;
  reordered = 0;
}

export class Impairment {
  readonly stats = new ImpairStats();
  private readonly prng: Prng;
  private held: Uint8Array | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly config: ImpairConfig, seed: number, private readonly deliver: (packet: Uint8Array) => void,
    private readonly holdMs = 5) {
    this.prng = new Prng(seed);
  }

  /** Passes one packet through. The packet must not be reused by the caller (it may be held). */
  push(packet: Uint8Array): void {
    const { config, prng, stats } = this;
    stats.packets++;
    if (prng.next() < config.loss) {
      stats.dropped++;
      return;
    }
    const copies = prng.next() < config.dup ? 2 : 1;
    if (copies === 2) stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      if (this.held === undefined && prng.next() < config.reorder) {
        stats.reordered++;
        this.held = packet;
        this.timer = setTimeout(() => this.release(), this.holdMs);
        continue;
      }
      this.deliver(packet);
      this.release();
    }
  }

  /** Delivers the held packet, if any (also used at shutdown). */
  release(): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.deliver(held);
  }
}

/** Parses "loss=P,dup=P,reorder=P,seed=N" (any subset; unnamed ones are 0, seed 1).
 *  Returns an error message instead of throwing, for the option parser. */
export function parseImpair(text: string): ImpairConfig | string {
  const config: ImpairConfig = { loss: 0, dup: 0, reorder: 0, seed: 1 };
  for (const part of text.split(',')) {
    const [key, value, extra] = part.split('=');
    if (extra !== undefined || value === undefined || value === '') return `--impair: '${part}' is not KEY=VALUE`;
    if (key === 'seed') {
      if (!/^[0-9]+$/.test(value) || Number(value) > 0xffffffff) return `--impair: seed must be a whole number from 0 to 2^32-1, got '${value}'`;
      config.seed = Number(value);
    } else if (key === 'loss' || key === 'dup' || key === 'reorder') {
      const p = /^[0-9]*\.?[0-9]+$/.test(value) ? Number(value) : NaN;
      if (!(p >= 0 && p < 1)) return `--impair: ${key} must be a probability from 0 to below 1, got '${value}'`;
      config[key] = p;
    } else {
      return `--impair: unknown key '${key}' (known: loss, dup, reorder, seed)`;
    }
  }
  return config;
}
