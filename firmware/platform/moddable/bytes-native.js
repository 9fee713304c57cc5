/*
 * slotcp's byte primitives in C (slotcp_bytes_xs.c over slotcp_bytes.c), in Moddable's `@`
 * syntax, which only xsc reads; bytes-native.d.ts types them for TypeScript. Pass
 * NativeBytes to the Stack constructor (fifth argument): it is a BytePrimitives
 * (firmware/tcp/bytes.ts) of static methods, so the class itself is the set.
 */
class NativeBytes {
	static sum(bytes, offset, length, initial) @ "xs_slotcp_bytes_sum";
	static copy(from, fromOffset, to, toOffset, length) @ "xs_slotcp_bytes_copy";
	static sipHash24(key, keyAt, data, offset, length, out, outAt) @ "xs_slotcp_bytes_siphash24";
}

export default NativeBytes;
