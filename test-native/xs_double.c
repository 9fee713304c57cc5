/* The XS-facing part's stand-in for the host tests (see xs_double.h). */
#include "xs_double.h"

#include <errno.h>
#include <semaphore.h>
#include <time.h>

#include "slotcp_lwip.h"

static sem_t gQueue;
static int gQueueReady;
static uint32_t gPosted, gDelivered, gMaxOutstanding, gFailNext;

#define LOAD(v) __atomic_load_n(&(v), __ATOMIC_SEQ_CST)
#define STORE(v, x) __atomic_store_n(&(v), (x), __ATOMIC_SEQ_CST)

void double_reset(void)
{
	if (gQueueReady)
		sem_destroy(&gQueue);
	sem_init(&gQueue, 0, 0);
	gQueueReady = 1;
	STORE(gPosted, 0);
	STORE(gDelivered, 0);
	STORE(gMaxOutstanding, 0);
	STORE(gFailNext, 0);
}

void double_fail_next(uint32_t count)
{
	STORE(gFailNext, count);
}

uint32_t double_posted(void)
{
	return LOAD(gPosted);
}

uint32_t double_max_outstanding(void)
{
	return LOAD(gMaxOutstanding);
}

/* Called by slotcp_lwip.c in lwIP's thread. */
int slotcp_host_wake(void)
{
	uint32_t outstanding;

	if (LOAD(gFailNext)) {
		STORE(gFailNext, LOAD(gFailNext) - 1);
		return -2;
	}
	outstanding = LOAD(gPosted) + 1 - LOAD(gDelivered);
	if (outstanding > LOAD(gMaxOutstanding))
		STORE(gMaxOutstanding, outstanding);
	STORE(gPosted, LOAD(gPosted) + 1);
	sem_post(&gQueue);
	return 0;
}

int double_deliver(int timeout_ms)
{
	struct timespec until;
	int result;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec += 1;
		until.tv_nsec -= 1000000000L;
	}
	do
		result = sem_timedwait(&gQueue, &until);
	while ((result != 0) && (errno == EINTR));
	if (result != 0)
		return 0;
	STORE(gDelivered, LOAD(gDelivered) + 1);
	slotcp_lwip_wake_done();
	return 1;
}
