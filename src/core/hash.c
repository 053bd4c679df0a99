/* hash.c — XXH3 for tables and fingerprints, SHA-256 (libsodium) for digests. */
#include "core/compat.h"

#include <sodium.h>
#include <xxhash.h>

#include "fundguard/hash.h"

uint64_t fg_hash64(const void *data, size_t n)
{
    return XXH3_64bits(data, n);
}

uint64_t fg_hash64_seed(const void *data, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(data, n, seed);
}

void fg_hex(const void *data, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void fg_sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, n);
    fg_hex(digest, sizeof(digest), out);
}
