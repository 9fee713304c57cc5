// "platform/port" on ESP32 and ESP8266: the lwIP raw-pcb packet path.
import type { DevicePort, LinkSettings } from '../device-port';
import { LwipPacketPort } from './packet-port';

export function createPort(_link: LinkSettings): DevicePort {
  return new LwipPacketPort();
}
