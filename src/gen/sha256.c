/*
 * sha256.c — streaming SHA-256 over OpenSSL's EVP interface (see sha256.h for why not libsodium).
 */
#include "core/compat.h"

#include <string.h>

#include <openssl/evp.h>

#include "gen/sha256.h"

void fg__gen_sha256_init(gen_sha256_t *s)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    s->ctx = ctx;
}

void fg__gen_sha256_update(gen_sha256_t *s, const void *data, size_t n)
{
    if (s->ctx != NULL && n > 0 && EVP_DigestUpdate(s->ctx, data, n) != 1) {
        EVP_MD_CTX_free(s->ctx);
        s->ctx = NULL;
    }
}

int fg__gen_sha256_final(gen_sha256_t *s, unsigned char out[32])
{
    unsigned int len = 0;
    int rc = -1;
    memset(out, 0, 32);
    if (s->ctx != NULL && EVP_DigestFinal_ex(s->ctx, out, &len) == 1 && len == 32)
        rc = 0;
    EVP_MD_CTX_free(s->ctx);
    s->ctx = NULL;
    return rc;
}
