/*
 * XS platform header for slotcp's own hosts (xs-host/): one machine, one thread, no
 * modules, no debugger. The same header serves x86-64, 32-bit x86 and lx106 (the
 * ESP8266's core, under QEMU); XS's defaults cover everything except the C stack limit,
 * the promise job queue and fxAbort, which host.c provides.
 */
#ifndef SLOTCP_PLATFORM_H
#define SLOTCP_PLATFORM_H

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

#if defined(__XTENSA__)
	/* lx106 faults (LoadStoreAlignment) on unaligned 16/32-bit loads of bytecode. */
	#define mxUnalignedAccess 0
#else
	#undef mxLinux
	#define mxLinux 1
#endif

/* xsSnapshot.c uses htonl/ntohl; snapshots are never taken here, but it must compile. */
#if defined(__XTENSA__)
	#define htonl(x) __builtin_bswap32(x)
	#define ntohl(x) __builtin_bswap32(x)
#else
	#include <arpa/inet.h>
#endif

#define mxUseDefaultMachinePlatform 1
#define mxUseDefaultBuildKeys 1
#define mxUseDefaultChunkAllocation 1
#define mxUseDefaultSlotAllocation 1
#define mxUseDefaultFindModule 1
#define mxUseDefaultLoadModule 1
#define mxUseDefaultParseScript 1
#define mxUseDefaultSharedChunks 1
#define mxUseDefaultDebug 1
#define mxUseDefaultCStackLimit 0

#define mxMachinePlatform \
	void* host;

#endif /* SLOTCP_PLATFORM_H */
