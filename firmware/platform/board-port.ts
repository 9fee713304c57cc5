// "platform/port" on ESP32 and ESP8266: the lwIP raw-pcb packet path. It sits in
// firmware/platform/ like its specifier, because XS resolves './moddable/packet-port'
// against "platform/port" (giving "platform/moddable/packet-port") where tsc uses the file.
import type { DevicePort, LinkSettings } from './device-port';
import { LwipPacketPort } from './moddable/packet-port';
import NativeBytes from './moddable/bytes-native';
import type { BytePrimitives } from '../tcp/bytes';

/** The checksum sum, byte copies and SipHash in C (moddable/slotcp_bytes.c), for the stack. */
export const platformBytes: BytePrimitives | undefined = NativeBytes;

export function createPort(_link: LinkSettings): DevicePort {
  return new LwipPacketPort();
}
