/*
 * Host test of slotcp's byte primitives in C (firmware/platform/moddable/slotcp_bytes.c)
 * against plain reference code: the sum at every address alignment 0..7, every length
 * 0..300 and longer runs, initial sums from 0 to 2^32 - 1, on random, all-zero and
 * all-0xff bytes; copies (memmove) between and within buffers, overlapping both ways;
 * SipHash-2-4 against the 64 vectors its authors publish, at every alignment.
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

/* SipHash-2-4's published vectors (its authors' vectors.h): key 00 01 .. 0f, message 00 01
 * .. of length 0..63; the 8 output bytes, least significant first, in hex. */
static const char *const siphash_vectors[64] = {
	"310e0edd47db6f72", "fd67dc93c539f874", "5a4fa9d909806c0d", "2d7efbd796666785",
	"b7877127e09427cf", "8da699cd64557618", "cee3fe586e46c9cb", "37d1018bf50002ab",
	"6224939a79f5f593", "b0e4a90bdf82009e", "f3b9dd94c5bb5d7a", "a7ad6b22462fb3f4",
	"fbe50e86bc8f1e75", "903d84c02756ea14", "eef27a8e90ca23f7", "e545be4961ca29a1",
	"db9bc2577fcc2a3f", "9447be2cf5e99a69", "9cd38d96f0b3c14b", "bd6179a71dc96dbb",
	"98eea21af25cd6be", "c7673b2eb0cbf2d0", "883ea3e395675393", "c8ce5ccd8c030ca8",
	"94af49f6c650adb8", "eab8858ade92e1bc", "f315bb5bb835d817", "adcf6b0763612e2f",
	"a5c91da7acaa4dde", "716595876650a2a6", "28ef495c53a387ad", "42c341d8fa92d832",
	"ce7cf2722f512771", "e37859f94623f3a7", "381205bb1ab0e012", "ae97a10fd434e015",
	"b4a31508beff4d31", "81396229f0907902", "4d0cf49ee5d4dcca", "5c73336a76d8bf9a",
	"d0a704536ba93e0e", "925958fcd6420cad", "a915c29bc8067318", "952b79f3bc0aa6d4",
	"f21df2e41d4535f9", "87577519048f53a9", "10a56cf5dfcd9adb", "eb75095ccd986cd0",
	"51a9cb9ecba312e6", "96afadfc2ce666c7", "72fe52975a4364ee", "5a1645b276d592a1",
	"b274cb8ebf87870a", "6f9bb4203de7b381", "eaecb2a30b22a87f", "9924a43cc1315724",
	"bd838d3aafbf8db7", "0b1a2a3265d51aea", "135079a3231ce660", "932b2846e4d70666",
	"e1915f5cb1eca46c", "f325965ca16d629f", "575ff28e60381be5", "724506eb4c328a95",
};

static int check_siphash(void)
{
	uint8_t key[16];
	uint64_t storage[(64 + 8) / 8 + 1];
	uint8_t *backing = (uint8_t *)storage;
	unsigned cases = 0;

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (size_t align = 0; align < 8; align++) {
		for (size_t length = 0; length < 64; length++) {
			uint8_t out[8];
			char hex[17];
			for (size_t i = 0; i < length; i++)
				backing[align + i] = (uint8_t)i;
			slotcp_bytes_siphash24(key, backing + align, length, out);
			for (int i = 0; i < 8; i++)
				snprintf(hex + 2 * i, 3, "%02x", out[i]);
			cases++;
			if (strcmp(hex, siphash_vectors[length])) {
				printf("FAIL siphash: length %zu at address %% 8 = %zu: got %s, want %s\n", length, align, hex, siphash_vectors[length]);
				return 0;
			}
		}
	}
	printf("ok siphash: %u cases\n", cases);
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
	ok = ok && check_siphash();
	return ok ? 0 : 1;
}
