/*
 * slotcp's XS host: one machine, one script, the globals slotcp's test bundles need
 * (print, gc, currentHeapCount, currentChunksSize, slotcpNativeBytes; nanoseconds() on
 * Linux, ccount() on lx106), promise jobs, and a non-zero exit
 * with the exception's text when the script throws. Target-neutral: see host.h.
 */
#include "xsAll.h"
#include "xs.h"
#include "host.h"

/* slotcp's byte primitives in C (firmware/platform/moddable/slotcp_bytes_xs.c). */
extern void xs_slotcp_bytes_sum(txMachine *the);
extern void xs_slotcp_bytes_copy(txMachine *the);
extern void xs_slotcp_bytes_siphash24(txMachine *the);

static char *gStackLimit;
static txBoolean gJobsQueued;

/* XS checks the C stack against this on every call; the entry point knows the stack. */
char *fxCStackLimit(void)
{
	return gStackLimit;
}

/* XS asks for a turn to run promise jobs; slotcp_host_run runs them after the script. */
void fxQueuePromiseJobs(txMachine *the)
{
	(void)the;
	gJobsQueued = 1;
}

void fxAbort(txMachine *the, int status)
{
	static const char *const reasons[] = {
		"debugger", "not enough memory", "stack overflow", "fatal check", "dead strip",
		"unhandled exception", "no more keys", "too much computation", "unhandled rejection",
	};
	const char *reason = ((unsigned)status < sizeof(reasons) / sizeof(reasons[0])) ? reasons[status] : "unknown";
	slotcp_host_write(2, "XS abort: ", 10);
	slotcp_host_write(2, reason, c_strlen(reason));
	if ((status == XS_UNHANDLED_EXCEPTION_EXIT) || (status == XS_UNHANDLED_REJECTION_EXIT)) {
		/* the exception or the rejection's reason; converting it may itself throw */
		slotcp_host_write(2, ": ", 2);
		mxTry(the) {
			const char *text = fxToString(the, &mxException);
			slotcp_host_write(2, text, c_strlen(text));
		}
		mxCatch(the) {
			slotcp_host_write(2, "(not convertible to a string)", 29);
		}
	}
	slotcp_host_write(2, "\n", 1);
	exit(SLOTCP_HOST_ABORT);
}

static void writeString(int fd, txMachine *the, xsSlot *value)
{
	const char *text = xsToString(*value);
	slotcp_host_write(fd, text, c_strlen(text));
	slotcp_host_write(fd, "\n", 1);
}

/* print(text): one line on stdout. */
static void xs_print(txMachine *the)
{
	writeString(1, the, &xsArg(0));
}

/* gc(): a full collection, so that the heap counters count live memory only. */
static void xs_gc(txMachine *the)
{
	xsCollectGarbage();
}

/* currentHeapCount(): slots in use (live plus not yet collected). Returns a number,
 * which allocates nothing, so reading it does not move it. */
static void xs_current_heap_count(txMachine *the)
{
	xsResult = xsInteger(the->currentHeapCount);
}

/* currentChunksSize(): bytes of chunks in use (strings, typed-array bytes, code). */
static void xs_current_chunks_size(txMachine *the)
{
	xsResult = xsInteger(the->currentChunksSize);
}

#if !defined(__XTENSA__)
#include <time.h>
/* nanoseconds(): CLOCK_MONOTONIC in ns (a double: exact to 2^53 ns, some 104 days), for
 * wall-clock benchmarks (bench/bytes.ts). Linux targets only. */
static void xs_nanoseconds(txMachine *the)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	xsResult = xsNumber((double)now.tv_sec * 1e9 + (double)now.tv_nsec);
}
#endif

#if defined(__XTENSA__)
/* ccount(): the lx106's cycle counter (CCOUNT, 32 bits). Under QEMU with -icount it
 * advances with executed instructions, which makes it an instruction counter. */
static void xs_ccount(txMachine *the)
{
	uint32_t ticks;
	__asm__ volatile ("rsr %0, ccount" : "=r"(ticks));
	xsResult = xsNumber((double)ticks);
}
#endif

static void defineGlobal(txMachine *the, const char *name, xsCallback callback, int length)
{
	xsSet(xsGlobal, xsID(name), xsNewHostFunction(callback, length));
}

/* slotcpNativeBytes: { sum, copy, sipHash24 }, the BytePrimitives (firmware/tcp/bytes.ts)
 * the boards
 * get from their native module, for tests and benchmarks to pass to the Stack. */
static void defineNativeBytes(txMachine *the)
{
	xsVars(1);
	xsVar(0) = xsNewObject();
	xsSet(xsVar(0), xsID("sum"), xsNewHostFunction(xs_slotcp_bytes_sum, 4));
	xsSet(xsVar(0), xsID("copy"), xsNewHostFunction(xs_slotcp_bytes_copy, 5));
	xsSet(xsVar(0), xsID("sipHash24"), xsNewHostFunction(xs_slotcp_bytes_siphash24, 7));
	xsSet(xsGlobal, xsID("slotcpNativeBytes"), xsVar(0));
}

/* Parses straight from the C buffer: no copy of the bundle in the XS heap. */
static void evaluate(txMachine *the, const char *source, size_t length)
{
	txStringCStream stream = { (txString)source, 0, (txSize)length };
	txSlot *realm = mxProgram.value.reference->next->value.module.realm;
	txScript *script = fxParseScript(the, &stream, fxStringCGetter, mxProgramFlag);
	fxRunScript(the, script, mxRealmGlobal(realm), C_NULL, mxRealmClosures(realm)->value.reference, C_NULL, mxProgram.value.reference);
	mxPop();
}

int slotcp_host_run(const char *source, size_t length, char *stackBase, size_t stackBytes)
{
	xsCreation creation = {
		.initialChunkSize = 256 * 1024,
		.incrementalChunkSize = 64 * 1024,
		.initialHeapCount = 16 * 1024,
		.incrementalHeapCount = 4 * 1024,
		.stackCount = 4096,
		.initialKeyCount = 2048,
		.incrementalKeyCount = 512,
		.nameModulo = 1993,
		.symbolModulo = 127,
		.parserBufferSize = 64 * 1024,
		.parserTableModulo = 1993,
		.staticSize = 0,
	};
	int status = SLOTCP_HOST_OK;
	txMachine *the;

	gStackLimit = stackBase - stackBytes;
	the = xsCreateMachine(&creation, "slotcp", NULL);
	if (!the) {
		slotcp_host_write(2, "XS: cannot create the machine\n", 30);
		return SLOTCP_HOST_ABORT;
	}
	xsBeginHost(the);
	{
		xsTry {
			defineGlobal(the, "print", xs_print, 1);
			defineGlobal(the, "gc", xs_gc, 0);
			defineGlobal(the, "currentHeapCount", xs_current_heap_count, 0);
			defineGlobal(the, "currentChunksSize", xs_current_chunks_size, 0);
			defineNativeBytes(the);
#if !defined(__XTENSA__)
			defineGlobal(the, "nanoseconds", xs_nanoseconds, 0);
#endif
#if defined(__XTENSA__)
			defineGlobal(the, "ccount", xs_ccount, 0);
#endif
			evaluate(the, source, length);
			while (gJobsQueued) {
				gJobsQueued = 0;
				fxRunPromiseJobs(the);
			}
			fxCheckUnhandledRejections(the, 1);
		}
		xsCatch {
			slotcp_host_write(2, "uncaught exception: ", 20);
			writeString(2, the, &xsException);
			status = SLOTCP_HOST_EXCEPTION;
		}
	}
	xsEndHost(the);
	xsDeleteMachine(the);
	return status;
}
