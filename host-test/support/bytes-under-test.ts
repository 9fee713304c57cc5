// The byte primitives the test stacks use: the default (jsBytes) unless a run sets
// globalThis.slotcpBytesUnderTest, as xs-host.test.ts does to run the engine tests with
// the C primitives of its XS host.
import type { BytePrimitives } from '../../firmware/tcp/bytes';

export function bytesUnderTest(): BytePrimitives | undefined {
  return (globalThis as { slotcpBytesUnderTest?: BytePrimitives }).slotcpBytesUnderTest;
}
