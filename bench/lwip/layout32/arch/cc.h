/* A freestanding arch/cc.h for the 32-bit layout compile of layout.c only (Debian's
 * arch/cc.h pulls in glibc headers, which a -m32 compile on this host does not have).
 * It sets no lwIP option, so the struct layout depends only on lwipopts.h. */
#ifndef LWIP_ARCH_CC_H
#define LWIP_ARCH_CC_H
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_LIMITS_H 1
#define X8_F  "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "u"
#define LWIP_PLATFORM_DIAG(x) do {} while (0)
#define LWIP_PLATFORM_ASSERT(x) do {} while (0)
#define LWIP_RAND() 4u
#define LWIP_ERRNO_INCLUDE "layout-errno.h"
typedef unsigned int sys_prot_t;
#endif
