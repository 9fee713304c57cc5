/*
 * 64-bit multiply and divide for lx106, missing from Debian's libgcc.a: the divisions on
 * top of __udivmoddi4/__divmoddi4, which it has; the multiply from 32x32->64 products
 * (__umulsidi3, from lib1funcs.S).
 */
#include <stdint.h>

extern uint64_t __udivmoddi4(uint64_t, uint64_t, uint64_t *);
extern int64_t __divmoddi4(int64_t, int64_t, int64_t *);
extern uint64_t __umulsidi3(uint32_t, uint32_t);

int64_t __divdi3(int64_t a, int64_t b) { return __divmoddi4(a, b, 0); }
uint64_t __udivdi3(uint64_t a, uint64_t b) { return __udivmoddi4(a, b, 0); }

uint64_t __umoddi3(uint64_t a, uint64_t b)
{
	uint64_t remainder;
	__udivmoddi4(a, b, &remainder);
	return remainder;
}

int64_t __muldi3(int64_t a, int64_t b)
{
	uint32_t al = (uint32_t)a, ah = (uint32_t)((uint64_t)a >> 32);
	uint32_t bl = (uint32_t)b, bh = (uint32_t)((uint64_t)b >> 32);
	/* called by name: gcc turns a widening multiply in C back into __muldi3 */
	uint64_t low = __umulsidi3(al, bl);
	return (int64_t)(low + ((uint64_t)(al * bh + ah * bl) << 32));
}
