/*
 * Test double for the XS-facing part (firmware/platform/moddable/slotcp_xs.c): instead of
 * posting a message to the XS machine, slotcp_host_wake() counts the wake-up and queues
 * it on a semaphore; double_deliver() plays the XS message loop delivering it.
 */
#ifndef XS_DOUBLE_H
#define XS_DOUBLE_H

#include <stdint.h>

void double_reset(void);
/* Makes the next `count` wake-ups fail (as modMessagePostToMachine does when the
   machine's queue is full). */
void double_fail_next(uint32_t count);
/* Wake-ups posted, and the most ever posted but not yet delivered. */
uint32_t double_posted(void);
uint32_t double_max_outstanding(void);
/* Waits up to timeout_ms for a posted wake-up; when there is one, delivers it (calls
   slotcp_lwip_wake_done(), as the XS part does before JS reads) and returns 1. */
int double_deliver(int timeout_ms);

#endif
