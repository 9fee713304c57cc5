/* The layout compile's second variant: lwIP 2.1.3's own defaults from opt.h (TCP on,
 * IPv4 only, no window scaling, no SACK, no timestamps, TCP_QUEUE_OOSEQ on, callback
 * API), NO_SYS=1. Only for sizeof(struct tcp_pcb) at 32 bits; nothing is built with it. */
#ifndef LAYOUT32_IPV4_LWIPOPTS_H
#define LAYOUT32_IPV4_LWIPOPTS_H
#define NO_SYS 1
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_TCP 1
#endif
