// The board app's start-up (firmware/main.ts) without its platform: the stack with a
// board profile, the socket layer and the services, on a port that drops what it is
// given and a clock that stands still. Portable (no Node APIs), so the same start-up is
// measured on XS (its heap slots) and walked on Node (its typed arrays).
import { StackConfig } from '../../firmware/tcp/config';
import { Stack } from '../../firmware/tcp/stack';
import { SocketLayer } from '../../firmware/tcp/socket';
import { Service, ServiceContext } from '../../firmware/apps/service';
import { startService } from '../../firmware/apps/services';

/** What a board's main module is given: the stack's settings and the services. */
export interface BoardProfile extends Partial<StackConfig> {
  /** PORT:SERVICE[:ARG], as the manifest's config.slotcp.services lists them. */
  services: string[];
}

export interface BoardApp {
  stack: Stack;
  context: ServiceContext;
  services: Service[];
}

/** The stack alone, as the app makes it (a listener per service). */
export function boardStack(profile: BoardProfile): Stack {
  const { services, ...config } = profile;
  return new Stack({ localAddr: 0xc0000202, ...config, listeners: services.length },
    { send() {} }, { now: () => 0 }, { fill(b: Uint8Array) { b.fill(1); } });
}

export function startBoardApp(profile: BoardProfile): BoardApp {
  const stack = boardStack(profile);
  const specs = profile.services;
  const context: ServiceContext = {
    layer: new SocketLayer(stack),
    scheduler: { now: () => 0, after() { return { cancel() {} }; } },
    listen: {},
  };
  const services: Service[] = [];
  for (const spec of specs) {
    const colon = spec.indexOf(':');
    services.push(startService(context, Number(spec.slice(0, colon)), spec.slice(colon + 1)));
  }
  return { stack, context, services };
}
