/*
 * slotcp's byte primitives in C: see slotcp_bytes.h. The sum reads aligned 32-bit words
 * in the machine's byte order and turns their sum into the big-endian one at the end
 * (RFC 1071 §2(B): byte order independence), so the loop is one load and one add per four
 * bytes; the ends, and a start at an odd address, go byte by byte.
 */
#include <string.h>

#include "slotcp_bytes.h"

/* An aligned 32-bit load that may alias the bytes it reads. */
typedef uint32_t __attribute__((__may_alias__)) slotcp_word;

/* Folds to 16 bits with end-around carries: the value modulo 0xffff, zero only for zero. */
static uint32_t fold16(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	return (sum & 0xffff) + (sum >> 16);
}

/* A byte swap of a 16-bit ones' complement sum: times 256 modulo 0xffff. */
static uint32_t swap16(uint32_t sum)
{
	return ((sum & 0xff) << 8) | (sum >> 8);
}

uint32_t slotcp_bytes_sum(const uint8_t *p, size_t length, uint32_t initial)
{
	uint32_t bigEndian = 0;		/* words read byte by byte, as big-endian values */
	uint64_t native = 0;		/* 32-bit words read in the machine's order */
	const slotcp_word *w;
	uint32_t sum;
	int odd = 0;

	/* At an odd address, sum the run as if a zero byte came first (from the even address
	   before it): that run's sum is this one's byte swap (RFC 1071 §2(B)). */
	if ((length > 0) && ((uintptr_t)p & 1)) {
		bigEndian = p[0];
		p++;
		length--;
		odd = 1;
	}
	if ((length >= 2) && ((uintptr_t)p & 2)) {
		bigEndian += ((uint32_t)p[0] << 8) | p[1];
		p += 2;
		length -= 2;
	}
	w = (const slotcp_word *)(const void *)p;
	for (; length >= 32; length -= 32, w += 8)
		native += (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + w[7];
	for (; length >= 4; length -= 4)
		native += *w++;
	p = (const uint8_t *)w;
	if (length >= 2) {
		bigEndian += ((uint32_t)p[0] << 8) | p[1];
		p += 2;
		length -= 2;
	}
	if (length > 0)
		bigEndian += (uint32_t)p[0] << 8;

	/* 32-bit words modulo 2^32 - 1, then 16-bit ones modulo 0xffff (which divides it). */
	native = (native & 0xffffffffu) + (native >> 32);
	native = (native & 0xffffffffu) + (native >> 32);
	sum = fold16((uint32_t)native);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	sum = swap16(sum);
#endif
	sum = fold16(sum + fold16(bigEndian));
	if (odd)
		sum = swap16(sum);
	return fold16(sum + fold16(initial));
}

void slotcp_bytes_copy(uint8_t *to, const uint8_t *from, size_t length)
{
	memmove(to, from, length);
}
