/*
 * slotcp's XS host: what the per-target entry points (main_file.c on Linux, the lx106
 * image's main) share. The host evaluates one script, runs its promise jobs and reports
 * an uncaught exception; the target supplies the output channel.
 */
#ifndef SLOTCP_HOST_H
#define SLOTCP_HOST_H

#include <stddef.h>

/* Exit statuses of slotcp_host_run. */
enum {
	SLOTCP_HOST_OK = 0,
	SLOTCP_HOST_EXCEPTION = 1,	/* uncaught exception; its String() went to stderr */
	SLOTCP_HOST_ABORT = 2,		/* XS gave up (memory, stack, unhandled rejection) */
	SLOTCP_HOST_USAGE = 3,		/* the entry point could not load the script */
	SLOTCP_HOST_FAULT = 4,		/* lx106: a CPU exception; EXCCAUSE, EPC1, EXCVADDR went to stderr */
};

/* Evaluates a script (UTF-8, not necessarily NUL-terminated) in a fresh machine as a
 * sloppy program in the global scope, then runs promise jobs until none are left.
 * stackBase is an address near the top of the C stack and stackBytes how much of it
 * XS may use; XS throws RangeError beyond that instead of overflowing. */
int slotcp_host_run(const char *source, size_t length, char *stackBase, size_t stackBytes);

/* Provided by the target: writes bytes to fd 1 (stdout) or 2 (stderr). */
void slotcp_host_write(int fd, const char *bytes, size_t length);

#endif /* SLOTCP_HOST_H */
