// Latin-1 text to bytes and back, for HTTP's ASCII framing. XS has no TextEncoder or
// TextDecoder as globals, and the protocol text here never needs more than one byte a
// character.

export function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

export function asciiText(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

/** Writes ASCII text and decimal numbers into a byte buffer made once, at a moving
 *  position. put(), byte(), copy(), decimal(), ipv4() and padFrom() allocate nothing;
 *  text() does on XS (a method call on a string primitive, charCodeAt, makes a wrapper
 *  object), so code that runs per request writes text encoded once with asciiBytes().
 *  `pos` counts every byte written; the buffer keeps those from `origin` on (bytes[0] is
 *  byte `origin` of the text) that fit. So a caller can see that the buffer was too
 *  small, count a text's bytes without keeping any (origin Infinity), or write a long text
 *  a window at a time, writing it whole each time from `restart(origin)`. */
export class AsciiWriter {
  pos = 0;
  origin = 0;
  constructor(readonly bytes: Uint8Array) {}

  /** Starts the text again, keeping its bytes from `origin` on. */
  restart(origin: number): void {
    this.pos = 0;
    this.origin = origin;
  }

  byte(b: number): void {
    const at = this.pos - this.origin;
    if (at >= 0 && at < this.bytes.length) this.bytes[at] = b;
    this.pos++;
  }

  /** A string's characters, one byte each (Latin-1). Allocates on XS: see above. */
  text(s: string): void {
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i) & 0xff);
  }

  /** All of `bytes` (text encoded once with asciiBytes()). */
  put(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.byte(bytes[i]);
  }

  /** Bytes `start` to `end` of `from`. */
  copy(from: Uint8Array, start: number, end: number): void {
    for (let i = start; i < end; i++) this.byte(from[i]);
  }

  /** An integer in decimal, digit by digit (what String(n) gives for one below 2^53). */
  decimal(n: number): void {
    if (n < 0) {
      this.byte(45); // '-'
      n = -n;
    }
    let unit = 1;
    while (unit * 10 <= n) unit *= 10;
    for (; unit >= 1; unit /= 10) {
      const digit = Math.floor(n / unit);
      this.byte(48 + digit);
      n -= digit * unit;
    }
  }

  /** An IPv4 address (unsigned or `| 0`) as a.b.c.d, as formatIpv4 writes it. */
  ipv4(addr: number): void {
    this.decimal(addr >>> 24);
    this.byte(46);
    this.decimal((addr >>> 16) & 0xff);
    this.byte(46);
    this.decimal((addr >>> 8) & 0xff);
    this.byte(46);
    this.decimal(addr & 0xff);
  }

  /** Spaces until `width` bytes have been written since `from` (none if already as many). */
  padFrom(from: number, width: number): void {
    while (this.pos - from < width) this.byte(32);
  }
}
