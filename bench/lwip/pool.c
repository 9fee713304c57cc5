/* A cap on lwIP's tcp_pcb pool, for Debian's liblwip.so.
 *
 * Debian builds lwIP with MEMP_MEM_MALLOC=1: every memp pool is glibc malloc, so
 * MEMP_NUM_TCP_PCB limits nothing and TIME-WAIT pcbs pile up until their 2 x TCP_MSL
 * runs out. An embedded build has a fixed pool instead, and when it is empty tcp_alloc()
 * kills the oldest TIME-WAIT pcb (tcp_kill_timewait) and tries again.
 *
 * The library calls memp_malloc()/memp_free() through its PLT, so the harness
 * executable can interpose both: the definitions below count MEMP_TCP_PCB blocks and
 * make memp_malloc(MEMP_TCP_PCB) return NULL once `pool_tcp_pcb_limit` are in use, as a
 * fixed pool of that size would. lwIP's own recovery code (tcp_alloc ->
 * tcp_kill_timewait -> tcp_abort) then runs unchanged. Every other pool is passed
 * through. A limit of 0 means unlimited (Debian's behaviour). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "lwip/memp.h"
#include "pool.h"

int pool_tcp_pcb_limit = 0;
int pool_tcp_pcb_in_use = 0;
unsigned long pool_tcp_pcb_refusals = 0;
size_t pool_tcp_pcb_block = 0;

static void *(*real_malloc)(memp_t);
static void (*real_free)(memp_t, void *);

void pool_init(void)
{
  real_malloc = (void *(*)(memp_t))dlsym(RTLD_NEXT, "memp_malloc");
  real_free = (void (*)(memp_t, void *))dlsym(RTLD_NEXT, "memp_free");
  if (real_malloc == NULL || real_free == NULL) {
    fprintf(stderr, "lwip-bench: cannot find liblwip's memp_malloc/memp_free\n");
    exit(2);
  }
}

void *memp_malloc(memp_t type)
{
  if (type != MEMP_TCP_PCB) return real_malloc(type);
  if (pool_tcp_pcb_limit > 0 && pool_tcp_pcb_in_use >= pool_tcp_pcb_limit) {
    pool_tcp_pcb_refusals++;
    return NULL;
  }
  void *block = real_malloc(type);
  if (block != NULL) {
    pool_tcp_pcb_in_use++;
    /* MEMP_SIZE is 0 without MEMP_OVERFLOW_CHECK: the pcb is the malloc block. */
    if (pool_tcp_pcb_block == 0) pool_tcp_pcb_block = malloc_usable_size(block);
  }
  return block;
}

void memp_free(memp_t type, void *mem)
{
  if (type == MEMP_TCP_PCB && mem != NULL) pool_tcp_pcb_in_use--;
  real_free(type, mem);
}
