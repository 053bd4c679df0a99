/*
 * fundguard/hash.h — fast non-cryptographic hashing (xxHash XXH3) and a keyed pseudonym
 * (libsodium).
 */
#ifndef FUNDGUARD_HASH_H
#define FUNDGUARD_HASH_H

#include <stddef.h>
#include <stdint.h>

/* 64-bit XXH3 of data. */
uint64_t fg_hash64(const void *data, size_t n);
/* 64-bit XXH3 with a seed (for independent hash functions). */
uint64_t fg_hash64_seed(const void *data, size_t n, uint64_t seed);
/* Bytes as lowercase hex into out (2n+1 bytes). */
void fg_hex(const void *data, size_t n, char *out);
/* SHA-256 of data as 64 lowercase hex chars + NUL. */
void fg_sha256_hex(const void *data, size_t n, char out[65]);

#endif
