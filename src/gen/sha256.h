/*
 * sha256.h — the generator's streaming SHA-256 for manifest.json, over OpenSSL's libcrypto.
 *
 * Every byte the generator writes is hashed (a city writes about 14 GB), so the digest must keep
 * up with the writer: libcrypto uses the x86 SHA extensions where the processor has them
 * (~1.7 GB/s), where libsodium's portable SHA-256 runs at ~325 MB/s (docs/decisions.md).
 */
#ifndef FG_GEN_SHA256_H
#define FG_GEN_SHA256_H

#include <stddef.h>

typedef struct gen_sha256 {
    void *ctx; /* EVP_MD_CTX; NULL after a failure to allocate (the digest is then all zero) */
} gen_sha256_t;

void fg__gen_sha256_init(gen_sha256_t *s);
void fg__gen_sha256_update(gen_sha256_t *s, const void *data, size_t n);
/* Write the digest and release the context. Returns 0, or -1 when the context could not be made. */
int fg__gen_sha256_final(gen_sha256_t *s, unsigned char out[32]);

#endif
