/*
 * slotcp's byte primitives in C (firmware/tcp/bytes.ts's BytePrimitives): the internet
 * checksum's sum, a byte copy and SipHash-2-4. Plain C, no XS: slotcp_bytes_xs.c makes
 * them host functions, test-native/test_bytes.c tests them against reference code and
 * the published SipHash vectors.
 */
#ifndef SLOTCP_BYTES_H
#define SLOTCP_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* Adds `length` bytes at `bytes` (any alignment) to `initial` as big-endian 16-bit words,
 * a last odd byte as the high byte of a word (RFC 1071), and returns the sum folded to
 * 16 bits: 0 only when every byte and `initial` are 0, else 1..0xffff. */
uint32_t slotcp_bytes_sum(const uint8_t *bytes, size_t length, uint32_t initial);

/* memmove: the ranges may overlap. */
void slotcp_bytes_copy(uint8_t *to, const uint8_t *from, size_t length);

/* SipHash-2-4 (Aumasson and Bernstein, 2012) of `length` bytes at `data` under the
 * 16-byte `key`: the 64-bit result's 8 bytes, least significant first, go to `out`. */
void slotcp_bytes_siphash24(const uint8_t key[16], const uint8_t *data, size_t length, uint8_t out[8]);

#endif /* SLOTCP_BYTES_H */
