// "platform/port" on ESP32 and ESP8266: the lwIP raw-pcb packet path. It sits in
// firmware/platform/ like its specifier, because XS resolves './moddable/packet-port'
// against "platform/port" (giving "platform/moddable/packet-port") where tsc uses the file.
import type { DevicePort, LinkSettings } from './device-port';
import { LwipPacketPort } from './moddable/packet-port';

export function createPort(_link: LinkSettings): DevicePort {
  return new LwipPacketPort();
}
