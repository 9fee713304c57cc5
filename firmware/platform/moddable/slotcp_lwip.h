/*
 * slotcp device packet path, lwIP-facing part (pure C: no XS).
 *
 * An lwIP raw pcb for IP protocol 6 whose receive callback takes ("eats") only the TCP
 * segments addressed to the board and to one of slotcp's listening ports, and copies
 * them (IPv4 header included) into a fixed ring. Everything else is left untouched for
 * lwIP's own TCP. Sending hands the TCP part of slotcp's packets to raw_sendto, which
 * adds the IPv4 header.
 *
 * Threads: the receive callback runs in lwIP's thread (the tcpip task on ESP32, the SDK's
 * context on ESP8266). Everything else here is called from the JS thread. On builds with
 * SLOTCP_LWIP_THREADED (ESP32 by default) the pcb is created, removed and sent on inside
 * lwIP's thread through tcpip_api_call, and the ring is a single-producer /
 * single-consumer queue on C11-style atomics.
 *
 * The XS-facing part (slotcp_xs.c) provides slotcp_host_wake(); the host tests provide a
 * double instead (test-native/).
 */
#ifndef SLOTCP_LWIP_H
#define SLOTCP_LWIP_H

#include <stdint.h>

#ifndef SLOTCP_NO_MC_DEFINES
	#include "mc.defines.h"		/* MODDEF_* from the manifest's "defines" */
#endif

/* manifest: "defines": {"slotcp": {"ring": {"packets": 4, "packet_bytes": 656}, "ports": 4}} */
#ifdef MODDEF_SLOTCP_RING_PACKETS
	#define SLOTCP_RING_PACKETS (MODDEF_SLOTCP_RING_PACKETS)
#else
	#define SLOTCP_RING_PACKETS (4)
#endif
/* Largest IPv4 packet the ring holds. 656 = 536 (MSS) + 60 (IPv4 header with options) + 60
   (TCP header with options): a peer honouring slotcp's default MSS always fits. Set it
   to mss + 120 for another MSS. Larger packets for slotcp's ports are eaten and counted
   in droppedTooBig (handing them to lwIP would make lwIP answer with RST). */
#ifdef MODDEF_SLOTCP_RING_PACKET_BYTES
	#define SLOTCP_RING_PACKET_BYTES (MODDEF_SLOTCP_RING_PACKET_BYTES)
#else
	#define SLOTCP_RING_PACKET_BYTES (656)
#endif
/* Size of the listening-port table (slotcp's config.listeners defaults to 4). */
#ifdef MODDEF_SLOTCP_PORTS
	#define SLOTCP_PORTS (MODDEF_SLOTCP_PORTS)
#else
	#define SLOTCP_PORTS (4)
#endif

#if (SLOTCP_RING_PACKETS) < 1 || (SLOTCP_RING_PACKETS) > 255
	#error "MODDEF_SLOTCP_RING_PACKETS must be 1..255"
#endif
#if (SLOTCP_RING_PACKET_BYTES) < 40 || (SLOTCP_RING_PACKET_BYTES) > 65535
	#error "MODDEF_SLOTCP_RING_PACKET_BYTES must be 40..65535"
#endif
#if (SLOTCP_PORTS) < 1 || (SLOTCP_PORTS) > 255
	#error "MODDEF_SLOTCP_PORTS must be 1..255"
#endif

/* Errors of slotcp_lwip_start/send besides lwIP's own err_t values (small negatives). */
#define SLOTCP_ERR_RUNNING		(-100)	/* start: already started */
#define SLOTCP_ERR_NOT_RUNNING	(-101)	/* send: not started */
#define SLOTCP_ERR_BAD_PACKET	(-102)	/* send: not a well-formed IPv4 packet carrying TCP */

/* Counters, in this order everywhere (the JS binding reads them into a Uint32Array). */
enum {
	SLOTCP_COUNTER_EATEN = 0,		/* segments copied into the ring */
	SLOTCP_COUNTER_DROPPED_FULL,	/* segments for slotcp dropped: ring full */
	SLOTCP_COUNTER_DROPPED_TOO_BIG,	/* segments for slotcp dropped: larger than a ring slot */
	SLOTCP_COUNTER_PASSED,			/* TCP segments the pcb saw and left to lwIP (bound: those
									   to slotcp's address for other ports) */
	SLOTCP_COUNTER_WAKES,			/* wake-ups posted to JS */
	SLOTCP_COUNTER_WAKE_FAILURES,	/* wake-ups that could not be posted */
	SLOTCP_COUNTER_SENT,			/* packets raw_sendto accepted */
	SLOTCP_COUNTER_SEND_ERRORS,		/* packets refused (bad packet, not running, lwIP error) */
	SLOTCP_COUNTER_COUNT
};

/* Creates the raw pcb. local_addr is the board's IPv4 address as a number (a.b.c.d is
   a << 24 | b << 16 | c << 8 | d), the same value as slotcp's config.localAddr; the pcb
   is bound to it and only segments to it are eaten. 0 accepts any address of an
   interface that is up (the pcb stays unbound; lwIP picks the source address).
   Resets the ring, the wake-up state and the counters. 0 or an error. */
int slotcp_lwip_start(uint32_t local_addr);
/* Removes the pcb (after this no segment is eaten) and empties the ring. */
void slotcp_lwip_stop(void);
int slotcp_lwip_running(void);

/* The listening-port table (kept across stop/start). add: 0 when added or already
   there, -1 for port 0 or above 65535, -2 when the table is full. remove: 0, or -1 when
   the port is not in the table. */
int slotcp_lwip_add_port(uint32_t port);
int slotcp_lwip_remove_port(uint32_t port);

/* The consumer side (JS thread). Call slotcp_lwip_wake_done when the wake-up message is
   delivered, before reading: a segment arriving after it posts a new wake-up. */
void slotcp_lwip_wake_done(void);
/* Copies the oldest packet into dst: its length, 0 when the ring is empty, -1 (nothing
   taken) when capacity is below the packet's length. A capacity of
   SLOTCP_RING_PACKET_BYTES always suffices. */
int slotcp_lwip_read(uint8_t *dst, uint32_t capacity);
/* Packets waiting in the ring. */
uint32_t slotcp_lwip_queued(void);

/* Sends one of slotcp's IPv4 packets: the TCP part (after the IPv4 header) goes to
   raw_sendto towards the packet's destination, with its TTL and TOS; lwIP writes a new
   IPv4 header (source: the bound address, or the outgoing interface's). The TCP bytes,
   checksum included, are sent as they are. The packet is copied before this returns.
   0 or an error (an lwIP err_t or SLOTCP_ERR_*). */
int slotcp_lwip_send(const uint8_t *packet, uint32_t length);

/* Copies the counters (SLOTCP_COUNTER_COUNT values) into out. */
void slotcp_lwip_counters(uint32_t *out);

/* Provided by the XS-facing part (or a test double). Called in lwIP's thread when the
   ring holds packets and no wake-up is pending; at most one is pending at a time.
   Returns 0 when the wake-up was posted, nonzero when it could not be. */
int slotcp_host_wake(void);

#endif
