#ifndef SLOTCP_BENCH_POOL_H
#define SLOTCP_BENCH_POOL_H
#include <stddef.h>

/* See pool.c: a fixed-size tcp_pcb pool imposed on Debian's malloc-backed lwIP. */
extern int pool_tcp_pcb_limit;          /* 0: unlimited */
extern int pool_tcp_pcb_in_use;
extern unsigned long pool_tcp_pcb_refusals;
extern size_t pool_tcp_pcb_block;       /* malloc_usable_size of one tcp_pcb block */
void pool_init(void);

#endif
