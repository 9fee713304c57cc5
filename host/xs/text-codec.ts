// UTF-8 TextEncoder and TextDecoder for slotcp's own XS host (xs-host/), which, like the
// board, has only the bare XS engine; xsnap-worker provides them natively. The engine
// tests use them to build and check payloads. Installed only where missing.

class Utf8Encoder {
  readonly encoding = 'utf-8';

  encode(text = ''): Uint8Array {
    const bytes: number[] = [];
    for (const char of text) {
      const c = char.codePointAt(0)!;
      if (c < 0x80) bytes.push(c);
      else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(bytes);
  }
}

class Utf8Decoder {
  readonly encoding = 'utf-8';

  /** Well-formed UTF-8 only: the tests decode what they encoded. */
  decode(input: ArrayBufferView | ArrayBuffer = new Uint8Array(0)): string {
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let text = '';
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i];
      const extra = b < 0x80 ? 0 : b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
      let c = extra === 0 ? b : b & (0x3f >> extra);
      for (let k = 1; k <= extra; k++) c = (c << 6) | (bytes[i + k] & 63);
      text += String.fromCodePoint(c);
      i += extra + 1;
    }
    return text;
  }
}

const g = globalThis as Record<string, unknown>;
g.TextEncoder ??= Utf8Encoder;
g.TextDecoder ??= Utf8Decoder;
