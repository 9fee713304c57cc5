/*
 * The lx106 core's options, for assembling GCC's libgcc/config/xtensa/lib1funcs.S
 * (Debian's gcc-12-source): Debian's libgcc.a for xtensa-lx106-elf lacks the division
 * and soft-float helpers XS needs. Values from QEMU's core-lx106: 32-bit multiply but
 * no divide, no zero-overhead loops, the call0 ABI, little-endian, no FPU.
 */
#ifndef XTENSA_CONFIG_H
#define XTENSA_CONFIG_H

#define XCHAL_HAVE_BE		0
#define XCHAL_HAVE_ABS		1
#define XCHAL_HAVE_ADDX		1
#define XCHAL_HAVE_NSA		1
#define XCHAL_HAVE_MUL16	1
#define XCHAL_HAVE_MUL32	1
#define XCHAL_HAVE_MUL32_HIGH	0
#define XCHAL_HAVE_MAC16	0
#define XCHAL_HAVE_DIV32	0
#define XCHAL_HAVE_LOOPS	0
#define XCHAL_HAVE_WINDOWED	0
#define XCHAL_HAVE_FP		0
#define XCHAL_HAVE_FP_DIV	0
#define XCHAL_HAVE_FP_RECIP	0
#define XCHAL_HAVE_FP_SQRT	0
#define XCHAL_HAVE_FP_RSQRT	0
#define XCHAL_HAVE_DFP_DIV	0
#define XCHAL_HAVE_DFP_RECIP	0
#define XCHAL_HAVE_DFP_SQRT	0
#define XCHAL_HAVE_DFP_RSQRT	0

#endif /* XTENSA_CONFIG_H */
