// The example services by name, as the host runner's --listen PORT:SERVICE[:ARG] and a
// board's main module name them: echo, discard, source:BYTES, http, hold:MS, closer.
import { Closer } from './closer';
import { Discard } from './discard';
import { Echo } from './echo';
import { Hold } from './hold';
import { Http } from './http';
import { Service, ServiceContext } from './service';
import { Source } from './source';

export const serviceNames = Object.freeze(['echo', 'discard', 'source:BYTES', 'http', 'hold:MS', 'closer']);

/** A service spec that cannot be started; the message says why. */
export class ServiceSpecError extends Error {}

function wholeNumber(text: string | undefined, what: string, max: number): number {
  const value = text !== undefined && /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(value <= max)) throw new ServiceSpecError(`${what} must be a whole number from 0 to ${max}, got '${text ?? ''}'`);
  return value;
}

/** Checks a spec such as "source:1048576" without starting anything. */
export function checkServiceSpec(spec: string): void {
  const [kind, arg, ...rest] = spec.split(':');
  const takesArg = kind === 'source' || kind === 'hold';
  if (!serviceNames.some((n) => n.split(':')[0] === kind)) {
    throw new ServiceSpecError(`unknown service '${kind}' (known: ${serviceNames.join(', ')})`);
  }
  if (rest.length > 0 || (!takesArg && arg !== undefined)) throw new ServiceSpecError(`bad service spec '${spec}'`);
  if (kind === 'source') wholeNumber(arg, 'source:BYTES', 2 ** 40);
  if (kind === 'hold') wholeNumber(arg, 'hold:MS', 0x3fffffff);
}

/** Starts the service named by `spec` on `port`. Throws ServiceSpecError for a bad spec. */
export function startService(ctx: ServiceContext, port: number, spec: string): Service {
  checkServiceSpec(spec);
  const [kind, arg] = spec.split(':');
  switch (kind) {
    case 'echo': return new Echo(ctx, port);
    case 'discard': return new Discard(ctx, port);
    case 'source': return new Source(ctx, port, Number(arg));
    case 'http': return new Http(ctx, port);
    case 'hold': return new Hold(ctx, port, Number(arg));
    default: return new Closer(ctx, port);
  }
}
