// The device RandomSource. XS's Math.random() on the boards comes from the chip's
// hardware random number generator (ESP32: esp_random(); ESP8266: its RNG register), so
// the stack's ISN key is unpredictable.
import type { RandomSource } from '../../tcp/platform';

export class MathRandomSource implements RandomSource {
  fill(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.random() * 256) | 0;
  }
}
