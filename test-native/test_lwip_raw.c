/*
 * Host test of slotcp's lwIP-facing part (firmware/platform/moddable/slotcp_lwip.c)
 * against real lwIP: Debian's liblwip-dev (lwIP 2.1.3, a shared library built with its
 * own lwipopts.h, NO_SYS=0).
 *
 * Built twice (see Makefile; the direct program also builds against other lwIP builds,
 * e.g. lwIP 1.4 or a NO_SYS=1 lwIP 2.x: make direct LWIP_CFLAGS=... LWIP_LIBS=...):
 *   lwip-raw-direct    SLOTCP_LWIP_THREADED=0: lwip_init() and no tcpip thread; packets go
 *                      straight into ip4_input() on the caller's thread, as lwIP runs
 *                      on ESP8266 (and in any NO_SYS set-up).
 *   lwip-raw-threaded  SLOTCP_LWIP_THREADED=1: tcpip_init() starts lwIP's thread; packets
 *                      go through tcpip_input() and are processed there, and the module
 *                      goes through tcpip_api_call(), as on ESP32.
 *
 * Two test interfaces: "a" 10.0.0.2/24 (slotcp's address) and "b" 10.0.1.2/24; their
 * output function captures every IPv4 packet lwIP sends. Client: 10.0.0.9.
 *
 * Usage: lwip-raw-xxx --list | lwip-raw-xxx CASE. Each case runs in a fresh process and
 * prints "ok CASE" or the failed checks (exit status 1).
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/ip.h"
#if LWIP_VERSION_MAJOR >= 2
	#include "lwip/ip4.h"
#endif
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"

#include "slotcp_lwip.h"
#include "xs_double.h"

#ifndef SLOTCP_LWIP_THREADED
	#error "build with -DSLOTCP_LWIP_THREADED=0 or 1"
#endif

#if LWIP_VERSION_MAJOR >= 2
	#define OUTPUT_ADDR_T const ip4_addr_t
#else
	/* lwIP 1.4 (the ESP8266 core's), for running the direct cases by hand against a
	   lwIP 1.4 build (see Makefile: make direct LWIP_CFLAGS=... LWIP_LIBS=...). */
	typedef ip_addr_t ip4_addr_t;
	#define ip4_addr_set_zero ip_addr_set_zero
	#define ip4_input ip_input
	#define OUTPUT_ADDR_T ip_addr_t
#endif

#if (SLOTCP_RING_PACKETS != 4) || (SLOTCP_RING_PACKET_BYTES != 128) || (SLOTCP_PORTS != 3)
	#error "the cases below assume a ring of 4 x 128 bytes and 3 ports (see Makefile)"
#endif

#define ADDR(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define BOARD_A ADDR(10, 0, 0, 2)
#define BOARD_B ADDR(10, 0, 1, 2)
#define CLIENT ADDR(10, 0, 0, 9)
#define BROADCAST_A ADDR(10, 0, 0, 255)

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

/* ---- checks ------------------------------------------------------------------------- */

static int gFailures;

static void fail(const char *file, int line, const char *format, ...)
{
	va_list ap;
	fprintf(stdout, "%s:%d: ", file, line);
	va_start(ap, format);
	vfprintf(stdout, format, ap);
	va_end(ap);
	fputc('\n', stdout);
	gFailures++;
}

#define CHECK(cond) do { if (!(cond)) fail(__FILE__, __LINE__, "check failed: %s", #cond); } while (0)
#define CHECK_EQ(actual, expected) do { \
		long long _a = (long long)(actual), _e = (long long)(expected); \
		if (_a != _e) fail(__FILE__, __LINE__, "%s is %lld, expected %s = %lld", #actual, _a, #expected, _e); \
	} while (0)
#define CHECK_BYTES(actual, expected, length) do { \
		size_t _i, _n = (size_t)(length); \
		for (_i = 0; _i < _n; _i++) { \
			if (((const uint8_t *)(actual))[_i] != ((const uint8_t *)(expected))[_i]) { \
				fail(__FILE__, __LINE__, "%s differs from %s at byte %zu: 0x%02x instead of 0x%02x", #actual, #expected, \
					_i, ((const uint8_t *)(actual))[_i], ((const uint8_t *)(expected))[_i]); \
				break; \
			} \
		} \
	} while (0)

/* ---- packets ------------------------------------------------------------------------ */

static uint32_t sum16(uint32_t sum, const uint8_t *bytes, size_t length)
{
	size_t i;
	for (i = 0; i + 1 < length; i += 2)
		sum += ((uint32_t)bytes[i] << 8) | bytes[i + 1];
	if (length & 1)
		sum += (uint32_t)bytes[length - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)sum;
}

static uint32_t get32(const uint8_t *b) { return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3]; }
static uint16_t get16(const uint8_t *b) { return (uint16_t)((b[0] << 8) | b[1]); }
static void put32(uint8_t *b, uint32_t v) { b[0] = (uint8_t)(v >> 24); b[1] = (uint8_t)(v >> 16); b[2] = (uint8_t)(v >> 8); b[3] = (uint8_t)v; }
static void put16(uint8_t *b, uint32_t v) { b[0] = (uint8_t)(v >> 8); b[1] = (uint8_t)v; }

/* TCP checksum over the pseudo-header and the segment of an IPv4 packet; 0xFFFF when valid
   (the sum includes the checksum field itself). */
static uint16_t tcp_sum(const uint8_t *packet, size_t length)
{
	size_t headerLength = (packet[0] & 0x0F) * 4;
	uint8_t pseudo[12];
	memcpy(pseudo, packet + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	put16(pseudo + 10, (uint32_t)(length - headerLength));
	return fold(sum16(sum16(0, pseudo, sizeof(pseudo)), packet + headerLength, length - headerLength));
}

static uint16_t ip_sum(const uint8_t *packet)
{
	return fold(sum16(0, packet, (packet[0] & 0x0F) * 4));
}

/* An IPv4 packet (20-byte header, TTL 64, DF) carrying one TCP segment (20-byte header),
   both checksums set. Returns its length. */
static size_t make_segment(uint8_t *b, uint32_t src, uint32_t dst, uint16_t srcPort, uint16_t dstPort,
	uint32_t seq, uint32_t ack, uint8_t flags, const void *payload, size_t payloadLength)
{
	size_t length = 40 + payloadLength;
	memset(b, 0, 40);
	b[0] = 0x45;
	put16(b + 2, (uint32_t)length);
	put16(b + 4, 0x1234);
	put16(b + 6, 0x4000);
	b[8] = 64;
	b[9] = 6;
	put32(b + 12, src);
	put32(b + 16, dst);
	put16(b + 10, (uint16_t)~ip_sum(b));
	put16(b + 20, srcPort);
	put16(b + 22, dstPort);
	put32(b + 24, seq);
	put32(b + 28, ack);
	b[32] = 0x50;
	b[33] = flags;
	put16(b + 34, 8192);
	if (payloadLength)
		memcpy(b + 40, payload, payloadLength);
	put16(b + 36, (uint16_t)~tcp_sum(b, length));
	return length;
}

/* ---- lwIP set-up: interfaces whose output is captured -------------------------------- */

#define CAPTURE_MAX 8
static struct { uint8_t bytes[1600]; size_t length; char netif; } gCaptured[CAPTURE_MAX];
static int gCapturedCount;

static err_t capture_output(struct netif *netif, struct pbuf *p, OUTPUT_ADDR_T *next)
{
	LWIP_UNUSED_ARG(next);
	if (gCapturedCount < CAPTURE_MAX) {
		gCaptured[gCapturedCount].length = pbuf_copy_partial(p, gCaptured[gCapturedCount].bytes, sizeof(gCaptured[0].bytes), 0);
		gCaptured[gCapturedCount].netif = netif->name[1];
	}
	gCapturedCount++;
	return ERR_OK;
}

static err_t test_netif_init(struct netif *netif)
{
	netif->name[0] = 't';
	netif->output = capture_output;
	netif->mtu = 1500;
	netif->flags = NETIF_FLAG_BROADCAST;
	return ERR_OK;
}

static struct netif gNetifA, gNetifB;

#if SLOTCP_LWIP_THREADED
	#define TEST_LOCK() LOCK_TCPIP_CORE()
	#define TEST_UNLOCK() UNLOCK_TCPIP_CORE()
	#define TEST_INPUT tcpip_input

	static void post_sem(void *arg) { sem_post((sem_t *)arg); }

	/* Returns once lwIP's thread has handled everything posted to it before. */
	static void barrier(void)
	{
		sem_t done;
		sem_init(&done, 0, 0);
		if (ERR_OK != tcpip_callback(post_sem, &done)) {
			fprintf(stdout, "tcpip_callback failed\n");
			exit(2);
		}
		sem_wait(&done);
		sem_destroy(&done);
	}
#else
	#define TEST_LOCK()
	#define TEST_UNLOCK()
	#define TEST_INPUT ip4_input
	static void barrier(void) {}
#endif

static void add_netif(struct netif *netif, char name, uint32_t address)
{
	ip4_addr_t ip, mask, gw;
	IP4_ADDR(&ip, (address >> 24) & 0xFF, (address >> 16) & 0xFF, (address >> 8) & 0xFF, address & 0xFF);
	IP4_ADDR(&mask, 255, 255, 255, 0);
	ip4_addr_set_zero(&gw);
	TEST_LOCK();
	if (!netif_add(netif, &ip, &mask, &gw, NULL, test_netif_init, TEST_INPUT)) {
		fprintf(stdout, "netif_add failed\n");
		exit(2);
	}
	netif->name[1] = name;
	netif_set_up(netif);
	netif_set_link_up(netif);
	TEST_UNLOCK();
}

static void setup_lwip(void)
{
#if SLOTCP_LWIP_THREADED
	sem_t ready;
	sem_init(&ready, 0, 0);
	tcpip_init(post_sem, &ready);
	sem_wait(&ready);
	sem_destroy(&ready);
#else
	lwip_init();
#endif
	add_netif(&gNetifA, 'a', BOARD_A);
	add_netif(&gNetifB, 'b', BOARD_B);
	double_reset();
}

/* Hands one packet to lwIP as the interface's driver would, and waits until lwIP has
   processed it. With split > 0 the packet comes as a chain of two pbufs, the first
   holding `split` bytes. */
static void feed_split(struct netif *netif, const uint8_t *bytes, size_t length, size_t split)
{
	struct pbuf *p;
	if (split) {
		struct pbuf *tail = pbuf_alloc(PBUF_RAW, (u16_t)(length - split), PBUF_RAM);
		p = pbuf_alloc(PBUF_RAW, (u16_t)split, PBUF_RAM);
		pbuf_take(p, bytes, (u16_t)split);
		pbuf_take(tail, bytes + split, (u16_t)(length - split));
		pbuf_cat(p, tail);
	}
	else {
		p = pbuf_alloc(PBUF_RAW, (u16_t)length, PBUF_RAM);
		pbuf_take(p, bytes, (u16_t)length);
	}
	if (ERR_OK != netif->input(p, netif)) {
		fprintf(stdout, "netif input refused a packet\n");
		exit(2);
	}
	barrier();
}

static void feed(struct netif *netif, const uint8_t *bytes, size_t length)
{
	feed_split(netif, bytes, length, 0);
}

static uint32_t counter(int index)
{
	uint32_t counters[SLOTCP_COUNTER_COUNT];
	slotcp_lwip_counters(counters);
	return counters[index];
}

#define CHECK_COUNTERS(eaten, full, tooBig, passed, wakes) do { \
		uint32_t _c[SLOTCP_COUNTER_COUNT]; \
		slotcp_lwip_counters(_c); \
		CHECK_EQ(_c[SLOTCP_COUNTER_EATEN], eaten); \
		CHECK_EQ(_c[SLOTCP_COUNTER_DROPPED_FULL], full); \
		CHECK_EQ(_c[SLOTCP_COUNTER_DROPPED_TOO_BIG], tooBig); \
		CHECK_EQ(_c[SLOTCP_COUNTER_PASSED], passed); \
		CHECK_EQ(_c[SLOTCP_COUNTER_WAKES], wakes); \
		CHECK_EQ(double_posted(), wakes); \
	} while (0)

/* A RST from lwIP in answer to a SYN (seq `seq`, from CLIENT:clientPort) sent to
   board:port: RFC 9293 §3.10.7.1, SEQ 0, ACK seq+1, RST+ACK. */
static void check_rst_for_syn(int index, uint32_t board, uint16_t port, uint16_t clientPort, uint32_t seq)
{
	const uint8_t *b = gCaptured[index].bytes;
	CHECK_EQ(gCaptured[index].length, 40);
	CHECK_EQ(b[0], 0x45);
	CHECK_EQ(get16(b + 2), 40);
	CHECK_EQ(b[9], 6);
	CHECK_EQ(ip_sum(b), 0xFFFF);
	CHECK_EQ(get32(b + 12), board);
	CHECK_EQ(get32(b + 16), CLIENT);
	CHECK_EQ(get16(b + 20), port);
	CHECK_EQ(get16(b + 22), clientPort);
	CHECK_EQ(get32(b + 24), 0);
	CHECK_EQ(get32(b + 28), seq + 1);
	CHECK_EQ(b[32] >> 4, 5);
	CHECK_EQ(b[33], RST | ACK);
	CHECK_EQ(tcp_sum(b, 40), 0xFFFF);
}

static void start(uint32_t address)
{
	int result = slotcp_lwip_start(address);
	if (result != 0) {
		fprintf(stdout, "slotcp_lwip_start failed: %d\n", result);
		exit(2);
	}
}

/* ---- cases -------------------------------------------------------------------------- */

/* A segment for slotcp's port reaches the ring, IPv4 header included, byte for byte, and
   lwIP sends nothing back (its TCP would answer a SYN or an ACK for no connection with
   RST). One wake-up; a second segment while it is pending posts none. */
static void case_eats_own_port(void)
{
	uint8_t syn[64], data[64], got[SLOTCP_RING_PACKET_BYTES];
	size_t synLength = make_segment(syn, CLIENT, BOARD_A, 40000, 7, 1000, 0, SYN, NULL, 0);
	size_t dataLength = make_segment(data, CLIENT, BOARD_A, 40000, 7, 1001, 77, ACK | PSH, "hello", 5);

	CHECK_EQ(slotcp_lwip_add_port(7), 0);
	start(BOARD_A);
	feed(&gNetifA, syn, synLength);
	CHECK_EQ(gCapturedCount, 0);
	CHECK_EQ(slotcp_lwip_queued(), 1);
	CHECK_COUNTERS(1, 0, 0, 0, 1);
	CHECK_EQ(slotcp_lwip_read(got, sizeof(got)), synLength);
	CHECK_BYTES(got, syn, synLength);
	CHECK_EQ(slotcp_lwip_read(got, sizeof(got)), 0);

	feed(&gNetifA, data, dataLength);
	CHECK_EQ(gCapturedCount, 0);
	CHECK_COUNTERS(2, 0, 0, 0, 1);
	CHECK_EQ(slotcp_lwip_read(got, sizeof(got)), dataLength);
	CHECK_BYTES(got, data, dataLength);
	CHECK_EQ(double_max_outstanding(), 1);
}

/* A segment for a port slotcp does not listen on goes to lwIP's TCP, which answers with
   its RST; nothing reaches the ring and JS is not woken. */
static void case_other_port_rst(void)
{
	uint8_t syn[64];
	size_t length = make_segment(syn, CLIENT, BOARD_A, 40001, 81, 5000, 0, SYN, NULL, 0);

	CHECK_EQ(slotcp_lwip_add_port(7), 0);
	start(BOARD_A);
	feed(&gNetifA, syn, length);
	CHECK_EQ(slotcp_lwip_queued(), 0);
	CHECK_COUNTERS(0, 0, 0, 1, 0);
	CHECK_EQ(gCapturedCount, 1);
	CHECK_EQ(gCaptured[0].netif, 'a');
	check_rst_for_syn(0, BOARD_A, 81, 40001, 5000);
}

static err_t accept_nothing(void *arg, struct tcp_pcb *pcb, err_t err)
{
	LWIP_UNUSED_ARG(arg);
	LWIP_UNUSED_ARG(pcb);
	LWIP_UNUSED_ARG(err);
	return ERR_OK;
}

/* lwIP's own listener keeps working next to slotcp's: a SYN to it gets lwIP's SYN-ACK,
   a SYN to slotcp's port is eaten. */
static void case_lwip_listener(void)
{
	uint8_t syn[64], ours[64];
	size_t length = make_segment(syn, CLIENT, BOARD_A, 40002, 8080, 7000, 0, SYN, NULL, 0);
	size_t oursLength = make_segment(ours, CLIENT, BOARD_A, 40003, 7, 9000, 0, SYN, NULL, 0);
	struct tcp_pcb *listener;
	const uint8_t *b;

	TEST_LOCK();
	listener = tcp_new();
	CHECK(listener != NULL);
	CHECK_EQ(tcp_bind(listener, IP_ADDR_ANY, 8080), ERR_OK);
	listener = tcp_listen(listener);
	CHECK(listener != NULL);
	tcp_accept(listener, accept_nothing);
	TEST_UNLOCK();

	CHECK_EQ(slotcp_lwip_add_port(7), 0);
	start(BOARD_A);
	feed(&gNetifA, syn, length);
	feed(&gNetifA, ours, oursLength);
	CHECK_EQ(slotcp_lwip_queued(), 1);
	CHECK_COUNTERS(1, 0, 0, 1, 1);
	CHECK_EQ(gCapturedCount, 1);
	b = gCaptured[0].bytes;
	CHECK_EQ(b[9], 6);
	CHECK_EQ(ip_sum(b), 0xFFFF);
	CHECK_EQ(get32(b + 12), BOARD_A);
	CHECK_EQ(get32(b + 16), CLIENT);
	CHECK_EQ(get16(b + 20), 8080);
	CHECK_EQ(get16(b + 22), 40002);
	CHECK_EQ(get32(b + 28), 7001);
	CHECK_EQ(b[33], SYN | ACK);
	CHECK_EQ(tcp_sum(b, gCaptured[0].length), 0xFFFF);
}

/* The port table: fixed size, no duplicates, port 0 refused; removing a port hands its
   segments back to lwIP. */
static void case_port_table(void)
{
	uint8_t syn[64];
	size_t length;

	CHECK_EQ(slotcp_lwip_add_port(7), 0);
	CHECK_EQ(slotcp_lwip_add_port(7), 0);
	CHECK_EQ(slotcp_lwip_add_port(8), 0);
	CHECK_EQ(slotcp_lwip_add_port(9), 0);
	CHECK_EQ(slotcp_lwip_add_port(10), -2);
	CHECK_EQ(slotcp_lwip_add_port(0), -1);
	CHECK_EQ(slotcp_lwip_add_port(65536), -1);
	CHECK_EQ(slotcp_lwip_remove_port(8), 0);
	CHECK_EQ(slotcp_lwip_remove_port(8), -1);
	CHECK_EQ(slotcp_lwip_add_port(10), 0);
	start(BOARD_A);

	length = make_segment(syn, CLIENT, BOARD_A, 40010, 8, 100, 0, SYN, NULL, 0);
	feed(&gNetifA, syn, length);
	CHECK_EQ(gCapturedCount, 1);
	check_rst_for_syn(0, BOARD_A, 8, 40010, 100);

	length = make_segment(syn, CLIENT, BOARD_A, 40011, 10, 200, 0, SYN, NULL, 0);
	feed(&gNetifA, syn, length);
	length = make_segment(syn, CLIENT, BOARD_A, 40012, 9, 300, 0, SYN, NULL, 0);
	feed(&gNetifA, syn, length);
	CHECK_EQ(gCapturedCount, 1);
	CHECK_EQ(slotcp_lwip_queued(), 2);

	CHECK_EQ(slotcp_lwip_remove_port(7), 0);
	length = make_segment(syn, CLIENT, BOARD_A, 40013, 7, 400, 0, SYN, NULL, 0);
	feed(&gNetifA, syn, length);
	CHECK_EQ(gCapturedCount, 2);
	check_rst_for_syn(1, BOARD_A, 7, 40013, 400);
	CHECK_COUNTERS(2, 0, 0, 2, 1);
}

/* Bound to board address A, slotcp does not take segments for the board's other address B
   (lwIP answers them); started with address 0 it takes segments for any of the board's
   addresses, but not broadcasts. */
static void case_address(void)
{
	uint8_t syn[64];
	size_t length;

	CHECK_EQ(slotcp_lwip_add_port(7), 0);
	start(BOARD_A);
	length = make_segment(syn, CLIENT, BOARD_B, 40020, 7, 100, 0, SYN, NULL, 0);
	feed(&gNetifA, syn, length);
	CHECK_EQ(gCapturedCount, 1);
	check_rst_for_syn(0, BOARD_B, 7, 40020, 100);
	CHECK_EQ(slotcp_lwip_queued(), 0);
	length = make_segment(syn, CLIENT, BOARD_A, 40021, 7, 200, 0, SYN, NULL, 0);
	feed(&gNetifA, syn, length);
	CHECK_EQ(slotcp_lwip_queued(), 1);
	CHECK_COUNTERS(1, 0, 0, 0, 1);		/* the pcb bound to A never saw the segment for B */
	slotcp_lwip_stop();
	double_reset();		/* stop dropped the pending wake-up: count afresh */

	start(0);
	length = make_segment(syn, CLIENT, BOARD_B, 40022, 7, 300, 0, SYN, NULL, 0);
	feed(&gNetifA, syn, length);
	length = make_segment(syn, CLIENT, BOARD_A, 40023, 7, 400, 0, SYN, NULL, 0);
	feed(&gNetifA, syn, length);
	CHECK_EQ(slotcp_lwip_queued(), 2);
	length = make_segment(syn, CLIENT, BROADCAST_A, 40024, 7, 500, 0, SYN, NULL, 0);
	feed(&gNetifA, syn, length);
	CHECK_EQ(slotcp_lwip_queued(), 2);
	CHECK_EQ(gCapturedCount, 1);		/* lwIP's TCP drops broadcasts silently */
	CHECK_COUNTERS(2, 0, 0, 1, 1);
}

/* A full ring: further segments for slotcp are dropped and counted (not handed to lwIP),
   and JS is woken once for all of them. The ring keeps the oldest, in order. */
static void case_ring_full(void)
{
	uint8_t segments[7][64], got[SLOTCP_RING_PACKET_BYTES];
	size_t lengths[7];
	int i;

	CHECK_EQ(slotcp_lwip_add_port(7), 0);
	start(BOARD_A);
	for (i = 0; i < 7; i++) {
		uint8_t payload[4];
		put32(payload, 0xC0DE0000u + (uint32_t)i);
		lengths[i] = make_segment(segments[i], CLIENT, BOARD_A, 40030, 7, 100 + 4 * (uint32_t)i, 1, ACK, payload, 4);
		feed(&gNetifA, segments[i], lengths[i]);
	}
	CHECK_EQ(gCapturedCount, 0);
	CHECK_EQ(slotcp_lwip_queued(), 4);
	CHECK_COUNTERS(4, 3, 0, 0, 1);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(slotcp_lwip_read(got, sizeof(got)), lengths[i]);
		CHECK_BYTES(got, segments[i], lengths[i]);
	}
	CHECK_EQ(slotcp_lwip_read(got, sizeof(got)), 0);

	/* JS handled its wake-up: the next segment wakes it again. */
	CHECK_EQ(double_deliver(1000), 1);
	feed(&gNetifA, segments[6], lengths[6]);
	CHECK_COUNTERS(5, 3, 0, 0, 2);
	CHECK_EQ(slotcp_lwip_read(got, 40), -1);		/* too small a buffer: nothing taken */
	CHECK_EQ(slotcp_lwip_read(got, sizeof(got)), lengths[6]);
	CHECK_BYTES(got, segments[6], lengths[6]);
	CHECK_EQ(double_max_outstanding(), 1);
}

/* When a wake-up cannot be posted, the next segment tries again. */
static void case_wake_failure(void)
{
	uint8_t syn[64];
	size_t length;

	CHECK_EQ(slotcp_lwip_add_port(7), 0);
	start(BOARD_A);
	double_fail_next(1);
	length = make_segment(syn, CLIENT, BOARD_A, 40040, 7, 100, 0, SYN, NULL, 0);
	feed(&gNetifA, syn, length);
	CHECK_EQ(counter(SLOTCP_COUNTER_WAKE_FAILURES), 1);
	CHECK_COUNTERS(1, 0, 0, 0, 0);
	length = make_segment(syn, CLIENT, BOARD_A, 40041, 7, 200, 0, SYN, NULL, 0);
	feed(&gNetifA, syn, length);
	CHECK_EQ(counter(SLOTCP_COUNTER_WAKE_FAILURES), 1);
	CHECK_COUNTERS(2, 0, 0, 0, 1);
	CHECK_EQ(slotcp_lwip_queued(), 2);
}

/* A segment for slotcp larger than a ring slot is eaten and counted; one that fills a slot
   exactly is kept. */
static void case_too_big(void)
{
	uint8_t big[256], exact[256], payload[128], got[SLOTCP_RING_PACKET_BYTES];
	size_t bigLength, exactLength;

	memset(payload, 0xA5, sizeof(payload));
	bigLength = make_segment(big, CLIENT, BOARD_A, 40050, 7, 100, 1, ACK, payload, SLOTCP_RING_PACKET_BYTES - 40 + 1);
	exactLength = make_segment(exact, CLIENT, BOARD_A, 40050, 7, 100, 1, ACK, payload, SLOTCP_RING_PACKET_BYTES - 40);
	CHECK_EQ(bigLength, SLOTCP_RING_PACKET_BYTES + 1);

	CHECK_EQ(slotcp_lwip_add_port(7), 0);
	start(BOARD_A);
	feed(&gNetifA, big, bigLength);
	CHECK_EQ(gCapturedCount, 0);
	CHECK_EQ(slotcp_lwip_queued(), 0);
	CHECK_COUNTERS(0, 0, 1, 0, 0);
	feed(&gNetifA, exact, exactLength);
	CHECK_COUNTERS(1, 0, 1, 0, 1);
	CHECK_EQ(slotcp_lwip_read(got, sizeof(got)), SLOTCP_RING_PACKET_BYTES);
	CHECK_BYTES(got, exact, exactLength);
}

/* A packet that reaches lwIP as a chain of pbufs, split inside the TCP ports: the filter
   reads the port across the split and the ring gets the whole packet. */
static void case_chained_pbuf(void)
{
	uint8_t data[64], got[SLOTCP_RING_PACKET_BYTES];
	size_t length = make_segment(data, CLIENT, BOARD_A, 40060, 7, 100, 1, ACK | PSH, "chained", 7);

	CHECK_EQ(slotcp_lwip_add_port(7), 0);
	start(BOARD_A);
	feed_split(&gNetifA, data, length, 23);
	CHECK_EQ(gCapturedCount, 0);
	CHECK_COUNTERS(1, 0, 0, 0, 1);
	CHECK_EQ(slotcp_lwip_read(got, sizeof(got)), length);
	CHECK_BYTES(got, data, length);
}

/* The send path: raw_sendto puts a correct IPv4 header in front of slotcp's TCP bytes,
   which arrive unchanged. */
static void case_send(void)
{
	uint8_t packet[80];
	const uint8_t *b;
	size_t length = make_segment(packet, BOARD_A, CLIENT, 7, 40070, 0x11223344, 0x55667788, ACK | PSH, "hello, world", 12);

	packet[1] = 0x10;		/* TOS */
	packet[8] = 17;			/* TTL */
	put16(packet + 10, 0);
	put16(packet + 10, (uint16_t)~ip_sum(packet));
	start(BOARD_A);
	CHECK_EQ(slotcp_lwip_send(packet, (uint32_t)length), 0);
	barrier();
	CHECK_EQ(gCapturedCount, 1);
	CHECK_EQ(gCaptured[0].netif, 'a');
	CHECK_EQ(gCaptured[0].length, length);
	b = gCaptured[0].bytes;
	CHECK_EQ(b[0], 0x45);
	CHECK_EQ(b[1], 0x10);
	CHECK_EQ(get16(b + 2), length);
	CHECK_EQ(b[8], 17);
	CHECK_EQ(b[9], 6);
	CHECK_EQ(ip_sum(b), 0xFFFF);
	CHECK_EQ(get32(b + 12), BOARD_A);
	CHECK_EQ(get32(b + 16), CLIENT);
	CHECK_BYTES(b + 20, packet + 20, length - 20);
	CHECK_EQ(tcp_sum(b, length), 0xFFFF);
	CHECK_EQ(counter(SLOTCP_COUNTER_SENT), 1);
	CHECK_EQ(counter(SLOTCP_COUNTER_SEND_ERRORS), 0);
}

/* Unbound (address 0), lwIP takes the outgoing interface's address as the source. */
static void case_send_unbound(void)
{
	uint8_t packet[80];
	size_t length = make_segment(packet, BOARD_A, CLIENT, 7, 40071, 1, 2, ACK, NULL, 0);

	start(0);
	CHECK_EQ(slotcp_lwip_send(packet, (uint32_t)length), 0);
	barrier();
	CHECK_EQ(gCapturedCount, 1);
	CHECK_EQ(gCaptured[0].length, 40);
	CHECK_EQ(get32(gCaptured[0].bytes + 12), BOARD_A);
	CHECK_EQ(get32(gCaptured[0].bytes + 16), CLIENT);
	CHECK_EQ(gCaptured[0].bytes[8], 64);
	CHECK_EQ(ip_sum(gCaptured[0].bytes), 0xFFFF);
	CHECK_BYTES(gCaptured[0].bytes + 20, packet + 20, 20);
}

/* Packets the send path refuses, and lwIP's own refusal (no route). */
static void case_send_errors(void)
{
	uint8_t packet[80], bad[80];
	size_t length = make_segment(packet, BOARD_A, CLIENT, 7, 40072, 1, 2, ACK, NULL, 0);

	CHECK_EQ(slotcp_lwip_send(packet, (uint32_t)length), SLOTCP_ERR_NOT_RUNNING);
	start(BOARD_A);
	CHECK_EQ(slotcp_lwip_send(packet, 39), SLOTCP_ERR_BAD_PACKET);
	memcpy(bad, packet, length);
	bad[0] = 0x65;
	CHECK_EQ(slotcp_lwip_send(bad, (uint32_t)length), SLOTCP_ERR_BAD_PACKET);
	memcpy(bad, packet, length);
	bad[9] = 17;
	CHECK_EQ(slotcp_lwip_send(bad, (uint32_t)length), SLOTCP_ERR_BAD_PACKET);
	memcpy(bad, packet, length);
	put16(bad + 2, (uint32_t)length + 1);
	CHECK_EQ(slotcp_lwip_send(bad, (uint32_t)length), SLOTCP_ERR_BAD_PACKET);
	length = make_segment(packet, BOARD_A, ADDR(192, 168, 5, 5), 7, 40072, 1, 2, ACK, NULL, 0);
	CHECK_EQ(slotcp_lwip_send(packet, (uint32_t)length), ERR_RTE);
	barrier();
	CHECK_EQ(gCapturedCount, 0);
	CHECK_EQ(counter(SLOTCP_COUNTER_SENT), 0);
	CHECK_EQ(counter(SLOTCP_COUNTER_SEND_ERRORS), 5);		/* reset by start: the first is not counted */
	CHECK_EQ(slotcp_lwip_start(BOARD_A), SLOTCP_ERR_RUNNING);
}

/* stop() removes the pcb: slotcp's port goes back to lwIP. start() again takes it back,
   with an empty ring and zeroed counters. */
static void case_stop(void)
{
	uint8_t syn[64];
	size_t length = make_segment(syn, CLIENT, BOARD_A, 40080, 7, 100, 0, SYN, NULL, 0);

	CHECK_EQ(slotcp_lwip_add_port(7), 0);
	start(BOARD_A);
	feed(&gNetifA, syn, length);
	CHECK_EQ(slotcp_lwip_queued(), 1);
	slotcp_lwip_stop();
	double_reset();		/* stop dropped the pending wake-up: count afresh */
	CHECK_EQ(slotcp_lwip_running(), 0);
	CHECK_EQ(slotcp_lwip_queued(), 0);
	feed(&gNetifA, syn, length);
	CHECK_EQ(gCapturedCount, 1);
	check_rst_for_syn(0, BOARD_A, 7, 40080, 100);
	start(BOARD_A);
	CHECK_EQ(slotcp_lwip_running(), 1);
	CHECK_COUNTERS(0, 0, 0, 0, 0);
	feed(&gNetifA, syn, length);
	CHECK_EQ(gCapturedCount, 1);
	CHECK_EQ(slotcp_lwip_queued(), 1);
	CHECK_EQ(counter(SLOTCP_COUNTER_EATEN), 1);
}

#if SLOTCP_LWIP_THREADED
/* lwIP's thread fills the ring while this thread plays JS, reading only after a wake-up.
   The feeder sends bursts of 1 to 5 packets, and after each burst waits until every
   packet sent was read or counted as dropped: a wake-up lost at the end of a burst
   stalls it, and after 5 s the case fails. The reader sometimes dawdles so that the ring
   overflows. Every packet read must come in order and intact, and never more than one
   wake-up may be pending. */
#define CONCURRENT_PACKETS 3000

static uint32_t gConcurrentRead, gConcurrentStalled, gConcurrentDone;

static uint32_t concurrent_dropped(void)
{
	uint32_t counters[SLOTCP_COUNTER_COUNT];
	slotcp_lwip_counters(counters);
	return counters[SLOTCP_COUNTER_DROPPED_FULL];
}

static void *feeder(void *arg)
{
	uint32_t i = 0, burst = 0, waited;
	LWIP_UNUSED_ARG(arg);
	while (i < CONCURRENT_PACKETS) {
		uint32_t end = i + 1 + (burst++ * 7) % 5;
		if (end > CONCURRENT_PACKETS)
			end = CONCURRENT_PACKETS;
		for (; i < end; i++) {
			uint8_t packet[64], payload[4];
			size_t length;
			struct pbuf *p;
			put32(payload, i);
			length = make_segment(packet, CLIENT, BOARD_A, 40090, 7, 1000 + 4 * i, 1, ACK, payload, 4);
			for (;;) {
				p = pbuf_alloc(PBUF_RAW, (u16_t)length, PBUF_RAM);
				pbuf_take(p, packet, (u16_t)length);
				if (ERR_OK == gNetifA.input(p, &gNetifA))
					break;
				pbuf_free(p);		/* lwIP's mailbox is full: try again */
				sched_yield();
			}
		}
		for (waited = 0; __atomic_load_n(&gConcurrentRead, __ATOMIC_SEQ_CST) + concurrent_dropped() < i; waited++) {
			if (waited == 100000) {		/* 5 s */
				__atomic_store_n(&gConcurrentStalled, i, __ATOMIC_SEQ_CST);
				return NULL;
			}
			usleep(50);
		}
	}
	__atomic_store_n(&gConcurrentDone, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void case_concurrent(void)
{
	pthread_t thread;
	uint32_t read = 0, next = 0, wakes = 0, counters[SLOTCP_COUNTER_COUNT];
	uint8_t got[SLOTCP_RING_PACKET_BYTES], expected[64];
	int length;

	CHECK_EQ(slotcp_lwip_add_port(7), 0);
	start(BOARD_A);
	pthread_create(&thread, NULL, feeder, NULL);
	while (!__atomic_load_n(&gConcurrentDone, __ATOMIC_SEQ_CST) && !__atomic_load_n(&gConcurrentStalled, __ATOMIC_SEQ_CST) && !gFailures) {
		if (!double_deliver(100))
			continue;
		wakes++;
		if (0 == (wakes % 7))
			usleep(2000);		/* longer than a burst takes: the ring overflows when it holds 5 */
		while ((length = slotcp_lwip_read(got, sizeof(got))) > 0) {
			uint8_t payload[4];
			size_t expectedLength;
			uint32_t index = get32(got + 40);
			if ((index < next) || (index >= CONCURRENT_PACKETS)) {
				fail(__FILE__, __LINE__, "packet %u read after packet %u", index, next - 1);
				break;
			}
			put32(payload, index);
			expectedLength = make_segment(expected, CLIENT, BOARD_A, 40090, 7, 1000 + 4 * index, 1, ACK, payload, 4);
			CHECK_EQ(length, expectedLength);
			CHECK_BYTES(got, expected, expectedLength);
			next = index + 1;
			read++;
			__atomic_store_n(&gConcurrentRead, read, __ATOMIC_SEQ_CST);
		}
	}
	if (gFailures)
		_exit(1);		/* the feeder may still be waiting */
	pthread_join(thread, NULL);
	barrier();
	slotcp_lwip_counters(counters);
	if (gConcurrentStalled)
		fail(__FILE__, __LINE__, "lost wake-up: %u packets sent, %u read, %u dropped, none read for 5 s",
			gConcurrentStalled, read, counters[SLOTCP_COUNTER_DROPPED_FULL]);
	CHECK_EQ(counters[SLOTCP_COUNTER_EATEN], read);
	CHECK_EQ(read + counters[SLOTCP_COUNTER_DROPPED_FULL], CONCURRENT_PACKETS);
	CHECK_EQ(counters[SLOTCP_COUNTER_PASSED], 0);
	CHECK_EQ(counters[SLOTCP_COUNTER_WAKE_FAILURES], 0);
	CHECK_EQ(counters[SLOTCP_COUNTER_WAKES], double_posted());
	CHECK_EQ(double_max_outstanding(), 1);
	CHECK_EQ(gCapturedCount, 0);
	CHECK(read > CONCURRENT_PACKETS / 2);
	CHECK(counters[SLOTCP_COUNTER_DROPPED_FULL] > 0);
	fprintf(stdout, "concurrent: %u read, %u dropped, %u wake-ups\n", read, counters[SLOTCP_COUNTER_DROPPED_FULL], wakes);
}
#endif

static const struct { const char *name; void (*run)(void); } gCases[] = {
	{ "eats-own-port", case_eats_own_port },
	{ "other-port-rst", case_other_port_rst },
	{ "lwip-listener", case_lwip_listener },
	{ "port-table", case_port_table },
	{ "address", case_address },
	{ "ring-full", case_ring_full },
	{ "wake-failure", case_wake_failure },
	{ "too-big", case_too_big },
	{ "chained-pbuf", case_chained_pbuf },
	{ "send", case_send },
	{ "send-unbound", case_send_unbound },
	{ "send-errors", case_send_errors },
	{ "stop", case_stop },
#if SLOTCP_LWIP_THREADED
	{ "concurrent", case_concurrent },
#endif
};

int main(int argc, char **argv)
{
	size_t i;

	setvbuf(stdout, NULL, _IONBF, 0);
	if ((2 == argc) && (0 == strcmp(argv[1], "--list"))) {
		for (i = 0; i < sizeof(gCases) / sizeof(gCases[0]); i++)
			printf("%s\n", gCases[i].name);
		return 0;
	}
	if (2 == argc) {
		for (i = 0; i < sizeof(gCases) / sizeof(gCases[0]); i++) {
			if (0 == strcmp(argv[1], gCases[i].name)) {
				setup_lwip();
				gCases[i].run();
				if (gFailures)
					return 1;
				printf("ok %s\n", gCases[i].name);
				return 0;
			}
		}
	}
	fprintf(stderr, "usage: %s --list | CASE\n", argv[0]);
	return 2;
}
