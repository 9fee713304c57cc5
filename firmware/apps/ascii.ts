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
