/*
 * slotcp's byte primitives in C: see slotcp_bytes.h. The sum reads aligned 32-bit words
 * in the machine's byte order and turns their sum into the big-endian one at the end
 * (RFC 1071 §2(B): byte order independence), so the loop is one load and one add per four
 * bytes; the ends, and a start at an odd address, go byte by byte. SipHash reads its
 * message byte by byte (any alignment, either byte order) into 64-bit words.
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

/* Up to 8 bytes as a little-endian number. */
static uint64_t loadLittleEndian(const uint8_t *p, size_t n)
{
	uint64_t value = 0;

	while (n > 0) {
		n--;
		value = (value << 8) | p[n];
	}
	return value;
}

static uint64_t rotateLeft(uint64_t x, int bits)
{
	return (x << bits) | (x >> (64 - bits));
}

/* SipRound on v0..v3. */
static void sipRound(uint64_t v[4])
{
	v[0] += v[1]; v[1] = rotateLeft(v[1], 13); v[1] ^= v[0]; v[0] = rotateLeft(v[0], 32);
	v[2] += v[3]; v[3] = rotateLeft(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = rotateLeft(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = rotateLeft(v[1], 17); v[1] ^= v[2]; v[2] = rotateLeft(v[2], 32);
}

/* One message word, with SipHash-2-4's two rounds. */
static void absorb(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sipRound(v);
	sipRound(v);
	v[0] ^= m;
}

void slotcp_bytes_siphash24(const uint8_t key[16], const uint8_t *data, size_t length, uint8_t out[8])
{
	const uint64_t k0 = loadLittleEndian(key, 8);
	const uint64_t k1 = loadLittleEndian(key + 8, 8);
	/* "somepseudorandomlygeneratedbytes" */
	uint64_t v[4] = { k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull, k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull };
	const size_t whole = length & ~(size_t)7;
	uint64_t hash;
	size_t i;

	for (i = 0; i < whole; i += 8)
		absorb(v, loadLittleEndian(data + i, 8));
	/* The last word: the 0..7 bytes left, and the length modulo 256 in the top byte. */
	absorb(v, loadLittleEndian(data + whole, length & 7) | ((uint64_t)(length & 0xff) << 56));
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sipRound(v);
	hash = v[0] ^ v[1] ^ v[2] ^ v[3];
	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(hash >> (8 * i));
}
