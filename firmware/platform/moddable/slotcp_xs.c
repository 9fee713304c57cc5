/*
 * slotcp device packet path, XS-facing part: the host functions behind lwip-raw.js
 * (Moddable's xsmc API) and the wake-up message that tells JS the ring holds packets.
 * Everything lwIP-related is in slotcp_lwip.c; this file includes no lwIP header.
 *
 * There is one raw pcb and one ring per board, so this module keeps its state in
 * statics: the XS machine to wake, the JS callback (kept alive with xsRemember), and a
 * generation that makes a wake-up posted before stop() harmless after it.
 */
#include "xsmc.h"
#include "xsHost.h"

#include "slotcp_lwip.h"

static xsMachine *gMachine;
static xsSlot gCallback;
static uint8_t gStarted;
static uintptr_t gGeneration;

static void slotcp_deliver(void *the, void *refcon, uint8_t *message, uint16_t messageLength);

/* lwIP's thread: at most one wake-up is pending at a time (slotcp_lwip.c sees to it). */
int slotcp_host_wake(void)
{
	return modMessagePostToMachine(gMachine, NULL, 0, slotcp_deliver, (void *)gGeneration);
}

/* The JS thread, from the machine's message loop. */
static void slotcp_deliver(void *the, void *refcon, uint8_t *message, uint16_t messageLength)
{
	(void)message;
	(void)messageLength;
	if (!gStarted || ((uintptr_t)refcon != gGeneration))
		return;		/* posted before stop() */
	slotcp_lwip_wake_done();		/* before JS reads: a segment arriving from now on wakes again */
	xsBeginHost(the);
		xsCallFunction0(gCallback, xsGlobal);
	xsEndHost(the);
}

/* start(callback, localAddr): callback() runs when the ring holds packets. */
void xs_slotcp_lwip_start(xsMachine *the)
{
	uint32_t localAddr;
	int err;

	if (gStarted)
		xsUnknownError("slotcp: packet path already started");
	if (!xsmcIsCallable(xsArg(0)))
		xsTypeError("slotcp: callback is not a function");
	localAddr = xsmcToUnsigned(xsArg(1));

	gMachine = the;
	gCallback = xsArg(0);
	xsRemember(gCallback);
	gGeneration++;
	gStarted = 1;
	err = slotcp_lwip_start(localAddr);
	if (err) {
		gStarted = 0;
		xsForget(gCallback);
		xsUnknownError("slotcp: raw pcb failed: %d", err);
	}
}

void xs_slotcp_lwip_stop(xsMachine *the)
{
	if (!gStarted)
		return;
	slotcp_lwip_stop();
	gStarted = 0;
	gGeneration++;
	xsForget(gCallback);
}

/* addPort(port): true, or false when the table is full. */
void xs_slotcp_lwip_add_port(xsMachine *the)
{
	xsIntegerValue port = xsmcToInteger(xsArg(0));
	int result;

	if ((port < 1) || (port > 65535))
		xsRangeError("slotcp: bad port");
	result = slotcp_lwip_add_port((uint32_t)port);
	xsmcSetBoolean(xsResult, 0 == result);
}

/* removePort(port): true when the port was in the table. */
void xs_slotcp_lwip_remove_port(xsMachine *the)
{
	xsIntegerValue port = xsmcToInteger(xsArg(0));

	xsmcSetBoolean(xsResult, (port >= 1) && (port <= 65535) && (0 == slotcp_lwip_remove_port((uint32_t)port)));
}

/* read(buffer): the length of the packet copied to the start of buffer, or 0. */
void xs_slotcp_lwip_read(xsMachine *the)
{
	void *data;
	xsUnsignedValue count;
	int length;

	xsmcGetBufferWritable(xsArg(0), &data, &count);
	length = slotcp_lwip_read(data, count);
	if (length < 0)
		xsRangeError("slotcp: buffer smaller than a ring slot");
	xsmcSetInteger(xsResult, length);
}

/* send(packet, length): 0, or the (negative) error; never throws for a refused packet. */
void xs_slotcp_lwip_send(xsMachine *the)
{
	void *data;
	xsUnsignedValue count;
	xsIntegerValue length;

	xsmcGetBufferReadable(xsArg(0), &data, &count);
	length = xsmcToInteger(xsArg(1));
	if ((length < 0) || ((xsUnsignedValue)length > count))
		xsRangeError("slotcp: bad length");
	xsmcSetInteger(xsResult, slotcp_lwip_send(data, (uint32_t)length));
}

static void slotcp_copy_words(xsMachine *the, const uint32_t *values, int count)
{
	void *data;
	xsUnsignedValue bytes;

	xsmcGetBufferWritable(xsArg(0), &data, &bytes);
	if (bytes < count * sizeof(uint32_t))
		xsRangeError("slotcp: array too small");
	c_memcpy(data, values, count * sizeof(uint32_t));
}

/* counters(into: Uint32Array): SLOTCP_COUNTER_COUNT values, in slotcp_lwip.h's order. */
void xs_slotcp_lwip_counters(xsMachine *the)
{
	uint32_t values[SLOTCP_COUNTER_COUNT];

	slotcp_lwip_counters(values);
	slotcp_copy_words(the, values, SLOTCP_COUNTER_COUNT);
}

/* config(into: Uint32Array): ring packets, bytes per ring slot, port table size,
   counter count (the build's defines). */
void xs_slotcp_lwip_config(xsMachine *the)
{
	uint32_t values[4] = { SLOTCP_RING_PACKETS, SLOTCP_RING_PACKET_BYTES, SLOTCP_PORTS, SLOTCP_COUNTER_COUNT };

	slotcp_copy_words(the, values, 4);
}
