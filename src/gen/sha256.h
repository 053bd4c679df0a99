/*
 * sha256.h — the generator's streaming SHA-256 (SHA-NI when present, portable C otherwise).
 * Same digests as libsodium's crypto_hash_sha256; the unit test checks it.
 */
#ifndef FG_GEN_SHA256_H
#define FG_GEN_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct gen_sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t nbuf;
    int portable; /* 1: never the SHA-NI rounds (tests) */
} gen_sha256_t;

void fg__gen_sha256_init(gen_sha256_t *s, int portable);
void fg__gen_sha256_update(gen_sha256_t *s, const void *data, size_t n);
void fg__gen_sha256_final(gen_sha256_t *s, unsigned char out[32]);

#endif
