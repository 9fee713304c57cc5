/*
 * Host test of slotcp's byte primitives in C (firmware/platform/moddable/slotcp_bytes.c)
 * against plain reference code: the sum at every address alignment 0..7, every length
 * 0..300 and longer runs, initial sums from 0 to 2^32 - 1, on random, all-zero and
 * all-0xff bytes; copies (memmove) between and within buffers, overlapping both ways.
 * host-test/native.test.ts builds it (make bytes) and runs it; it prints a line per check
 * and exits 1 on the first mismatch.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slotcp_bytes.h"

static uint32_t state = 2463534242u;

static uint32_t next(void)
{
	state ^= state << 13;
	state ^= state >> 17;
	state ^= state << 5;
	return state;
}

/* The exact total, folded to 1..0xffff (0 only for a zero total). */
static uint32_t reference_sum(const uint8_t *bytes, size_t length, uint32_t initial)
{
	uint64_t total = initial;
	for (size_t i = 0; i < length; i++)
		total += (i & 1) ? bytes[i] : (uint64_t)bytes[i] << 8;
	return total == 0 ? 0 : (uint32_t)((total - 1) % 0xffff) + 1;
}

static int check_sums(const char *content, const uint8_t *backing, size_t size)
{
	static const uint32_t initials[] = { 0, 1, 0xfffe, 0xffff, 0x10000, 0x1fffe, 0x7fffffff, 0xffffffff, 0x12345678 };
	static const size_t longer[] = { 1459, 1460, 1461, 4000, 4001 };
	unsigned cases = 0;

	for (size_t align = 0; align < 8; align++) {
		for (size_t length = 0; length <= 300 + 5; length++) {
			size_t n = length <= 300 ? length : longer[length - 301];
			if (align + n > size)
				continue;
			for (size_t k = 0; k < sizeof(initials) / sizeof(initials[0]); k++) {
				uint32_t got = slotcp_bytes_sum(backing + align, n, initials[k]);
				uint32_t want = reference_sum(backing + align, n, initials[k]);
				cases++;
				if (got != want) {
					printf("FAIL sum %s: address %% 8 = %zu, length %zu, initial 0x%x: got 0x%x, want 0x%x\n",
						content, (size_t)((uintptr_t)(backing + align) & 7), n, initials[k], got, want);
					return 0;
				}
			}
		}
	}
	for (int c = 0; c < 20000; c++) {
		size_t offset = next() % 2048;
		size_t n = next() % (size - offset);
		uint32_t initial = next();
		uint32_t got = slotcp_bytes_sum(backing + offset, n, initial);
		uint32_t want = reference_sum(backing + offset, n, initial);
		cases++;
		if (got != want) {
			printf("FAIL sum %s (random): offset %zu, length %zu, initial 0x%x: got 0x%x, want 0x%x\n", content, offset, n, initial, got, want);
			return 0;
		}
	}
	printf("ok sum on %s bytes: %u cases\n", content, cases);
	return 1;
}

static int check_copies(void)
{
	enum { SIZE = 256 };
	uint8_t a[SIZE], b[SIZE], ra[SIZE], rb[SIZE], tmp[SIZE];
	unsigned cases = 0;

	for (size_t length = 0; length <= 100; length++) {
		for (size_t from = 0; from + length <= SIZE && from < 70; from += 1 + (from > 10) * 6) {
			for (size_t to = 0; to + length <= SIZE && to < 70; to += 1 + (to > 10) * 6) {
				for (int within = 0; within < 2; within++) {
					for (size_t i = 0; i < SIZE; i++) {
						a[i] = ra[i] = (uint8_t)next();
						b[i] = rb[i] = (uint8_t)next();
					}
					uint8_t *target = within ? a : b;
					uint8_t *rtarget = within ? ra : rb;
					slotcp_bytes_copy(target + to, a + from, length);
					for (size_t i = 0; i < length; i++)
						tmp[i] = ra[from + i];
					for (size_t i = 0; i < length; i++)
						rtarget[to + i] = tmp[i];
					cases++;
					if (memcmp(a, ra, SIZE) || memcmp(b, rb, SIZE)) {
						printf("FAIL copy %s: from %zu to %zu, length %zu\n", within ? "within one buffer" : "between two", from, to, length);
						return 0;
					}
				}
			}
		}
	}
	printf("ok copies: %u cases\n", cases);
	return 1;
}

int main(void)
{
	enum { SIZE = 4096 + 16 };
	/* 8-aligned, so backing + align has every address alignment */
	static uint64_t storage[SIZE / 8];
	uint8_t *backing = (uint8_t *)storage;
	int ok = 1;

	for (size_t i = 0; i < SIZE; i++)
		backing[i] = (uint8_t)next();
	ok = ok && check_sums("random", backing, SIZE);
	memset(backing, 0, SIZE);
	ok = ok && check_sums("zero", backing, SIZE);
	memset(backing, 0xff, SIZE);
	ok = ok && check_sums("0xff", backing, SIZE);
	ok = ok && check_copies();
	return ok ? 0 : 1;
}
