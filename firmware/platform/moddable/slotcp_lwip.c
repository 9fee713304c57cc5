/*
 * slotcp device packet path, lwIP-facing part: the raw pcb, its filter, the receive ring
 * and the send path. Pure C against lwIP 2.x (ESP32's ESP-IDF, Debian's liblwip-dev for
 * the host tests) and lwIP 1.4 (the ESP8266 Arduino core 2.3.0 that Moddable uses).
 * See slotcp_lwip.h for the interface and the threading rules.
 */
#include "slotcp_lwip.h"

#include <string.h>

#include "lwip/opt.h"
#include "lwip/init.h"
#include "lwip/err.h"
#include "lwip/pbuf.h"
#include "lwip/ip.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/raw.h"

#if !LWIP_RAW
	#error "slotcp needs lwIP's raw API (LWIP_RAW)"
#endif

/* Does lwIP run in a thread of its own, which every call into lwIP must go through?
   Yes on ESP32 (ESP-IDF's tcpip task). No on ESP8266 (one context runs lwIP and XS). */
#ifndef SLOTCP_LWIP_THREADED
	#if defined(ESP32) && ESP32
		#define SLOTCP_LWIP_THREADED 1
	#else
		#define SLOTCP_LWIP_THREADED 0
	#endif
#endif

#if SLOTCP_LWIP_THREADED
	#include "lwip/tcpip.h"
	#include "lwip/priv/tcpip_priv.h"
#endif

/* ---- lwIP 1.4 / 2.x differences ----------------------------------------------------- */

#if LWIP_VERSION_MAJOR >= 2
	/* 2.x: the receive callback's source address is const. */
	#define SLOTCP_RECV_ADDR_T const ip_addr_t
	#define SLOTCP_NETIF_ADDR(n) ip4_addr_get_u32(netif_ip4_addr(n))
#else
	/* 1.4: non-const address; ip_addr_t is the IPv4 address itself; no IP_ADDR4. */
	#define SLOTCP_RECV_ADDR_T ip_addr_t
	#define SLOTCP_NETIF_ADDR(n) ip4_addr_get_u32(&(n)->ip_addr)
	#ifndef IP_ADDR4
		#define IP_ADDR4 IP4_ADDR
	#endif
#endif

#ifdef NETIF_FOREACH
	#define SLOTCP_FOREACH_NETIF(n) NETIF_FOREACH(n)
#else
	#define SLOTCP_FOREACH_NETIF(n) for ((n) = netif_list; (n) != NULL; (n) = (n)->next)
#endif

/* ---- shared state between lwIP's thread and the JS thread ------------------------------
   Single writer for every word: ring_head, counters[EATEN..WAKE_FAILURES] by lwIP's
   thread; ring_tail, ports[], counters[SENT..] by the JS thread; wake_pending is set by
   lwIP's thread and cleared by either (JS when the wake-up is delivered, lwIP's thread
   when posting failed). Sequentially consistent loads and stores make the wake-up
   handshake safe: lwIP's thread stores ring_head then loads wake_pending, JS stores
   wake_pending = 0 then loads ring_head, so one of them sees the other's store and no
   packet is left in the ring without a wake-up on its way. */
#if SLOTCP_LWIP_THREADED
	#define SLOTCP_LOAD(v) __atomic_load_n(&(v), __ATOMIC_SEQ_CST)
	#define SLOTCP_STORE(v, x) __atomic_store_n(&(v), (x), __ATOMIC_SEQ_CST)
	#define SLOTCP_LOAD_RELAXED(v) __atomic_load_n(&(v), __ATOMIC_RELAXED)
	#define SLOTCP_STORE_RELAXED(v, x) __atomic_store_n(&(v), (x), __ATOMIC_RELAXED)
#else
	#define SLOTCP_LOAD(v) (*(volatile uint32_t *)&(v))
	#define SLOTCP_STORE(v, x) (*(volatile uint32_t *)&(v) = (x))
	#define SLOTCP_LOAD_RELAXED(v) SLOTCP_LOAD(v)
	#define SLOTCP_STORE_RELAXED(v, x) SLOTCP_STORE(v, x)
#endif
#define SLOTCP_COUNT(index) \
	SLOTCP_STORE_RELAXED(gCounters[index], SLOTCP_LOAD_RELAXED(gCounters[index]) + 1)

/* Ring positions run modulo twice the slot count: head == tail is empty, a difference
   of SLOTCP_RING_PACKETS is full, and slot = position % SLOTCP_RING_PACKETS. */
#define SLOTCP_RING_SPAN (2 * (SLOTCP_RING_PACKETS))
#define SLOTCP_RING_USED(head, tail) (((head) + SLOTCP_RING_SPAN - (tail)) % SLOTCP_RING_SPAN)

static uint8_t gRing[SLOTCP_RING_PACKETS][SLOTCP_RING_PACKET_BYTES];
static uint16_t gRingLength[SLOTCP_RING_PACKETS];
static uint32_t gRingHead;		/* next position to store (lwIP's thread) */
static uint32_t gRingTail;		/* next position to take (JS thread) */
static uint32_t gWakePending;
static uint32_t gPorts[SLOTCP_PORTS];		/* 0: free entry */
static uint32_t gCounters[SLOTCP_COUNTER_COUNT];

/* Owned by the JS thread; lwIP's thread reads them only while the pcb exists, and they
   are written only when it does not (start/stop synchronise through tcpip_api_call). */
static struct raw_pcb *gPcb;
static uint32_t gLocalAddr;			/* as a number, 0 for any own address */
static uint32_t gLocalAddrNet;		/* the same in network byte order, as lwIP holds it */

/* ---- receive (lwIP's thread) ---------------------------------------------------------- */

static int slotcp_address_is_ours(uint32_t dstNet)
{
	struct netif *netif;

	if (gLocalAddr)
		return dstNet == gLocalAddrNet;
	SLOTCP_FOREACH_NETIF(netif) {
		if (netif_is_up(netif) && (SLOTCP_NETIF_ADDR(netif) != 0) && (SLOTCP_NETIF_ADDR(netif) == dstNet))
			return 1;
	}
	return 0;
}

static int slotcp_port_is_listed(uint32_t port)
{
	int i;

	for (i = 0; i < SLOTCP_PORTS; i++) {
		if (SLOTCP_LOAD_RELAXED(gPorts[i]) == port)
			return 1;
	}
	return 0;
}

static void slotcp_wake_if_idle(void)
{
	if (SLOTCP_LOAD(gWakePending))
		return;
	SLOTCP_STORE(gWakePending, 1);
	if (0 == slotcp_host_wake())
		SLOTCP_COUNT(SLOTCP_COUNTER_WAKES);
	else {
		SLOTCP_COUNT(SLOTCP_COUNTER_WAKE_FAILURES);
		SLOTCP_STORE(gWakePending, 0);		/* the next segment tries again */
	}
}

/* lwIP calls this for every IPv4 packet with protocol 6 that is for this host, before its
   own TCP sees it. The payload starts at the IPv4 header. Returning 0 leaves the pbuf
   untouched for lwIP; returning 1 means the pbuf was eaten (and freed here). */
static u8_t slotcp_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, SLOTCP_RECV_ADDR_T *addr)
{
	uint8_t ip[20], ports[4];
	uint32_t total = p->tot_len, headerLength, dstNet, head;

	LWIP_UNUSED_ARG(arg);
	LWIP_UNUSED_ARG(pcb);
	LWIP_UNUSED_ARG(addr);

	if ((total < sizeof(ip)) || (pbuf_copy_partial(p, ip, sizeof(ip), 0) != sizeof(ip)))
		goto pass;
	headerLength = (ip[0] & 0x0F) * 4;
	if (((ip[0] >> 4) != 4) || (ip[9] != IP_PROTO_TCP) || (headerLength < 20) || (total < headerLength + 4))
		goto pass;
	if (pbuf_copy_partial(p, ports, sizeof(ports), (u16_t)headerLength) != sizeof(ports))
		goto pass;
	memcpy(&dstNet, ip + 16, sizeof(dstNet));
	if (!slotcp_address_is_ours(dstNet) || !slotcp_port_is_listed(((uint32_t)ports[2] << 8) | ports[3]))
		goto pass;

	/* slotcp's: eaten whatever happens next, so that lwIP never answers it with RST. */
	head = gRingHead;
	if (total > SLOTCP_RING_PACKET_BYTES)
		SLOTCP_COUNT(SLOTCP_COUNTER_DROPPED_TOO_BIG);
	else if (SLOTCP_RING_USED(head, SLOTCP_LOAD(gRingTail)) >= SLOTCP_RING_PACKETS) {
		SLOTCP_COUNT(SLOTCP_COUNTER_DROPPED_FULL);
		slotcp_wake_if_idle();		/* normally pending already; not if posting failed */
	}
	else {
		uint32_t index = head % SLOTCP_RING_PACKETS;
		pbuf_copy_partial(p, gRing[index], (u16_t)total, 0);
		gRingLength[index] = (uint16_t)total;
		SLOTCP_STORE(gRingHead, (head + 1) % SLOTCP_RING_SPAN);
		SLOTCP_COUNT(SLOTCP_COUNTER_EATEN);
		slotcp_wake_if_idle();
	}
	pbuf_free(p);
	return 1;

pass:
	SLOTCP_COUNT(SLOTCP_COUNTER_PASSED);
	return 0;
}

/* ---- calls into lwIP (in lwIP's thread when it has one) -------------------------------- */

typedef struct {
#if SLOTCP_LWIP_THREADED
	struct tcpip_api_call_data call;	/* first: tcpip_api_call hands this pointer back */
#endif
	const uint8_t *tcp;
	uint16_t tcpLength;
	uint8_t ttl;
	uint8_t tos;
	uint8_t dst[4];
} SlotcpCall;

#if SLOTCP_LWIP_THREADED
	typedef struct tcpip_api_call_data *SlotcpCallArg;
	#define SLOTCP_IN_LWIP(fn, c) tcpip_api_call(fn, &(c)->call)
#else
	typedef SlotcpCall *SlotcpCallArg;
	#define SLOTCP_IN_LWIP(fn, c) fn(c)
#endif

static err_t slotcp_start_in_lwip(SlotcpCallArg arg)
{
	struct raw_pcb *pcb = raw_new(IP_PROTO_TCP);
	ip_addr_t local;
	err_t err;

	LWIP_UNUSED_ARG(arg);
	if (!pcb)
		return ERR_MEM;
	if (gLocalAddr) {
		IP_ADDR4(&local, (gLocalAddr >> 24) & 0xFF, (gLocalAddr >> 16) & 0xFF, (gLocalAddr >> 8) & 0xFF, gLocalAddr & 0xFF);
		err = raw_bind(pcb, &local);
		if (ERR_OK != err) {
			raw_remove(pcb);
			return err;
		}
	}
	raw_recv(pcb, slotcp_recv, NULL);
	gPcb = pcb;
	return ERR_OK;
}

static err_t slotcp_stop_in_lwip(SlotcpCallArg arg)
{
	LWIP_UNUSED_ARG(arg);
	raw_recv(gPcb, NULL, NULL);
	raw_remove(gPcb);
	gPcb = NULL;
	return ERR_OK;
}

static err_t slotcp_send_in_lwip(SlotcpCallArg arg)
{
	SlotcpCall *c = (SlotcpCall *)arg;
	struct pbuf *p;
	ip_addr_t dst;
	err_t err;

	p = pbuf_alloc(PBUF_IP, c->tcpLength, PBUF_RAM);		/* room for lwIP's headers in front */
	if (!p)
		return ERR_MEM;
	memcpy(p->payload, c->tcp, c->tcpLength);				/* PBUF_RAM: one contiguous pbuf */
	IP_ADDR4(&dst, c->dst[0], c->dst[1], c->dst[2], c->dst[3]);
	gPcb->ttl = c->ttl;
	gPcb->tos = c->tos;
	err = raw_sendto(gPcb, p, &dst);
	pbuf_free(p);
	return err;
}

/* ---- JS thread ----------------------------------------------------------------------- */

int slotcp_lwip_start(uint32_t local_addr)
{
	SlotcpCall call;
	uint8_t bytes[4];
	int i;
	err_t err;

	if (gPcb)
		return SLOTCP_ERR_RUNNING;
	/* No pcb: lwIP's thread does not touch any of this. */
	SLOTCP_STORE(gRingHead, 0);
	SLOTCP_STORE(gRingTail, 0);
	SLOTCP_STORE(gWakePending, 0);
	for (i = 0; i < SLOTCP_COUNTER_COUNT; i++)
		SLOTCP_STORE_RELAXED(gCounters[i], 0);
	gLocalAddr = local_addr;
	bytes[0] = (uint8_t)(local_addr >> 24);
	bytes[1] = (uint8_t)(local_addr >> 16);
	bytes[2] = (uint8_t)(local_addr >> 8);
	bytes[3] = (uint8_t)local_addr;
	memcpy(&gLocalAddrNet, bytes, sizeof(gLocalAddrNet));

	memset(&call, 0, sizeof(call));
	err = SLOTCP_IN_LWIP(slotcp_start_in_lwip, &call);
	return (ERR_OK == err) ? 0 : err;
}

void slotcp_lwip_stop(void)
{
	SlotcpCall call;

	if (!gPcb)
		return;
	memset(&call, 0, sizeof(call));
	SLOTCP_IN_LWIP(slotcp_stop_in_lwip, &call);
	/* The pcb is gone: lwIP's thread no longer touches the ring. */
	SLOTCP_STORE(gRingTail, SLOTCP_LOAD(gRingHead));
	SLOTCP_STORE(gWakePending, 0);
}

int slotcp_lwip_running(void)
{
	return NULL != gPcb;
}

int slotcp_lwip_add_port(uint32_t port)
{
	int i, empty = -1;

	if ((0 == port) || (port > 0xFFFF))
		return -1;
	for (i = 0; i < SLOTCP_PORTS; i++) {
		uint32_t entry = SLOTCP_LOAD_RELAXED(gPorts[i]);
		if (entry == port)
			return 0;
		if ((0 == entry) && (empty < 0))
			empty = i;
	}
	if (empty < 0)
		return -2;
	SLOTCP_STORE(gPorts[empty], port);
	return 0;
}

int slotcp_lwip_remove_port(uint32_t port)
{
	int i;

	if ((0 == port) || (port > 0xFFFF))
		return -1;
	for (i = 0; i < SLOTCP_PORTS; i++) {
		if (SLOTCP_LOAD_RELAXED(gPorts[i]) == port) {
			SLOTCP_STORE(gPorts[i], 0);
			return 0;
		}
	}
	return -1;
}

void slotcp_lwip_wake_done(void)
{
	SLOTCP_STORE(gWakePending, 0);
}

int slotcp_lwip_read(uint8_t *dst, uint32_t capacity)
{
	uint32_t tail = gRingTail, index, length;

	if (SLOTCP_LOAD(gRingHead) == tail)
		return 0;
	index = tail % SLOTCP_RING_PACKETS;
	length = gRingLength[index];
	if (capacity < length)
		return -1;
	memcpy(dst, gRing[index], length);
	SLOTCP_STORE(gRingTail, (tail + 1) % SLOTCP_RING_SPAN);
	return (int)length;
}

uint32_t slotcp_lwip_queued(void)
{
	return SLOTCP_RING_USED(SLOTCP_LOAD(gRingHead), gRingTail);
}

int slotcp_lwip_send(const uint8_t *packet, uint32_t length)
{
	SlotcpCall call;
	uint32_t headerLength, totalLength;
	err_t err;

	if (!gPcb) {
		SLOTCP_COUNT(SLOTCP_COUNTER_SEND_ERRORS);
		return SLOTCP_ERR_NOT_RUNNING;
	}
	if (length < 40)
		goto bad;
	headerLength = (packet[0] & 0x0F) * 4;
	totalLength = ((uint32_t)packet[2] << 8) | packet[3];
	if (((packet[0] >> 4) != 4) || (headerLength < 20) || (totalLength != length) ||
		(packet[9] != IP_PROTO_TCP) || ((length - headerLength) < 20))
		goto bad;

	memset(&call, 0, sizeof(call));
	call.tcp = packet + headerLength;
	call.tcpLength = (uint16_t)(length - headerLength);
	call.tos = packet[1];
	call.ttl = packet[8];
	memcpy(call.dst, packet + 16, 4);
	err = SLOTCP_IN_LWIP(slotcp_send_in_lwip, &call);
	if (ERR_OK == err) {
		SLOTCP_COUNT(SLOTCP_COUNTER_SENT);
		return 0;
	}
	SLOTCP_COUNT(SLOTCP_COUNTER_SEND_ERRORS);
	return err;

bad:
	SLOTCP_COUNT(SLOTCP_COUNTER_SEND_ERRORS);
	return SLOTCP_ERR_BAD_PACKET;
}

void slotcp_lwip_counters(uint32_t *out)
{
	int i;

	for (i = 0; i < SLOTCP_COUNTER_COUNT; i++)
		out[i] = SLOTCP_LOAD_RELAXED(gCounters[i]);
}
