/*
 * The host functions behind bytes-native.js (Moddable's xsmc API) over slotcp_bytes.c:
 * sum(bytes, offset, length, initial), copy(from, fromOffset, to, toOffset, length) and
 * sipHash24(key, keyAt, data, offset, length, out, outAt), the BytePrimitives of
 * firmware/tcp/bytes.ts. A range outside its buffer throws RangeError. Nothing is
 * allocated: the buffers' addresses are taken after the numbers are read, and nothing
 * runs between taking them and using them.
 */
#include <string.h>

#include "xsmc.h"

#include "slotcp_bytes.h"

/* The [offset, offset + length) of a buffer of `size` bytes, or RangeError. */
static void checkRange(xsMachine *the, xsIntegerValue offset, xsIntegerValue length, xsUnsignedValue size)
{
	if ((offset < 0) || (length < 0) || ((xsUnsignedValue)offset > size) || ((xsUnsignedValue)length > size - (xsUnsignedValue)offset))
		xsRangeError("slotcp bytes: range out of the buffer");
}

void xs_slotcp_bytes_sum(xsMachine *the)
{
	xsIntegerValue offset = xsmcToInteger(xsArg(1));
	xsIntegerValue length = xsmcToInteger(xsArg(2));
	uint32_t initial = (uint32_t)xsmcToInteger(xsArg(3));	/* ToInt32: 2^32 - 1 comes as -1 */
	void *data;
	xsUnsignedValue size;

	xsmcGetBufferReadable(xsArg(0), &data, &size);
	checkRange(the, offset, length, size);
	xsmcSetInteger(xsResult, (xsIntegerValue)slotcp_bytes_sum((const uint8_t *)data + offset, (size_t)length, initial));
}

void xs_slotcp_bytes_copy(xsMachine *the)
{
	xsIntegerValue fromOffset = xsmcToInteger(xsArg(1));
	xsIntegerValue toOffset = xsmcToInteger(xsArg(3));
	xsIntegerValue length = xsmcToInteger(xsArg(4));
	void *from;
	void *to;
	xsUnsignedValue fromSize;
	xsUnsignedValue toSize;

	xsmcGetBufferReadable(xsArg(0), &from, &fromSize);
	checkRange(the, fromOffset, length, fromSize);
	xsmcGetBufferWritable(xsArg(2), &to, &toSize);
	checkRange(the, toOffset, length, toSize);
	slotcp_bytes_copy((uint8_t *)to + toOffset, (const uint8_t *)from + fromOffset, (size_t)length);
}

void xs_slotcp_bytes_siphash24(xsMachine *the)
{
	xsIntegerValue keyAt = xsmcToInteger(xsArg(1));
	xsIntegerValue offset = xsmcToInteger(xsArg(3));
	xsIntegerValue length = xsmcToInteger(xsArg(4));
	xsIntegerValue outAt = xsmcToInteger(xsArg(6));
	uint8_t key[16];
	uint8_t result[8];
	void *bytes;
	xsUnsignedValue size;

	/* The key, the message and the result may share a buffer: the key is copied and the
	   result written only once the message has been read. */
	xsmcGetBufferReadable(xsArg(0), &bytes, &size);
	checkRange(the, keyAt, sizeof(key), size);
	memcpy(key, (const uint8_t *)bytes + keyAt, sizeof(key));
	xsmcGetBufferReadable(xsArg(2), &bytes, &size);
	checkRange(the, offset, length, size);
	slotcp_bytes_siphash24(key, (const uint8_t *)bytes + offset, (size_t)length, result);
	xsmcGetBufferWritable(xsArg(5), &bytes, &size);
	checkRange(the, outAt, sizeof(result), size);
	memcpy((uint8_t *)bytes + outAt, result, sizeof(result));
}
